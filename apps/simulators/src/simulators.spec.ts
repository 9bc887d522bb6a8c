import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildIsReachableBody,
  DeliveryInput,
  FarClient,
  HttpsTransport,
  MailboxOperatorClient,
  parseSoapEnvelope,
  Reachability,
  sealDelivery,
  signDelivery,
  SigningCredential,
  TlsClientOptions,
  toSoapEnvelope,
  TransportFailure,
} from '@hub/mina-meddelanden';
import { ensureTestPki, makeTestPdf, pickTestPersonnummer } from '@hub/testing';
import { FaultConfig } from './fault-injection';
import { StoredDelivery } from './mailbox-operator-simulator';
import { checkSeed, pkiSpecForSeed, SimulatorSeed, withFreePorts } from './seed';
import { RunningSimulators, startSimulators } from './simulators';

// PKI generation takes seconds; every delivery is schema-validated and verified twice over.
jest.setTimeout(60_000);

const DEMO_SEED = join(__dirname, '..', 'seed', 'demo.json');
const SENDER = '162120001231';
const OTHER_SENDER = '162120009879';
const KIVRA_PERSON = '198101032384';
const KIVRA_PERSON_2 = '199001012385';
const KIVRA_PERSON_3 = '202001612395';
const MMP_PERSON = '195001182046';

/** The demo seed with every port 0 (the OS picks) and the PKI in `pkiDir`. */
function testSeed(pkiDir: string, changes: Partial<SimulatorSeed> = {}): SimulatorSeed {
  const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as SimulatorSeed;
  seed.pkiDir = pkiDir;
  withFreePorts(seed);
  delete seed.printVendor; // it would poll the demo API's port (print-vendor-simulator.spec.ts tests it)
  return checkSeed({ ...seed, ...changes }, 'test seed');
}


const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex').toUpperCase();

let tmp: string;
let sims: RunningSimulators;
let intermediary: SigningCredential;
let municipality: SigningCredential;
let caPem: string;
let tls: TlsClientOptions;
let far: FarClient;
let operators: MailboxOperatorClient;
let pdf: Buffer;
let messageCounter = 0;

const credential = (dir: string, stem: string): SigningCredential =>
  SigningCredential.fromPem(readFileSync(join(dir, `${stem}.key.pem`)), readFileSync(join(dir, `${stem}.crt.pem`)));
const tlsOf = (cred: SigningCredential): TlsClientOptions => ({ certPem: cred.certificatePem, key: cred.privateKey, caPems: [caPem] });
const url = (key: string): string => sims.operators[key].url;

function delivery(recipient: string, attachments: DeliveryInput['messages'][0]['attachments'] = [{ contentType: 'application/pdf', filename: 'beslut.pdf', content: pdf }]): DeliveryInput {
  messageCounter++;
  return {
    sender: { id: SENDER, name: 'Demo kommun' },
    recipient,
    reference: `ref-${messageCounter}`,
    messages: [
      {
        id: `spec-message-${messageCounter}-${Date.now()}`,
        subject: `Beslut nummer ${messageCounter}`,
        supportInfo: { text: 'Kontakta oss' },
        body: { contentType: 'text/plain', text: 'Hej! Beslutet finns som bilaga.' },
        attachments,
      },
    ],
  };
}

/** Signed by the municipality, sealed by the förmedlare: what a correct hub sends. */
function sealedFor(recipient: string): { sealed: string; messageId: string } {
  const input = delivery(recipient);
  return { sealed: sealDelivery(signDelivery(input, municipality), intermediary), messageId: input.messages[0].id };
}

async function admin<T = unknown>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${sims.adminUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as T };
}

async function setFaults(key: string, config: FaultConfig): Promise<void> {
  const res = await admin(`/operators/${key}/faults`, 'PUT', config);
  expect(res.status).toBe(200);
  expect(res.json).toEqual(config);
}

async function refusedCounts(key: string): Promise<Record<string, number>> {
  return (await admin<{ stats: { refused: Record<string, number> } }>(`/operators/${key}`)).json.stats.refused;
}

/** The TransportFailure a promise rejects with (fails the test if it resolves or throws something else). */
async function failure(p: Promise<unknown>): Promise<TransportFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TransportFailure) return e;
    throw e;
  }
  throw new Error('expected a TransportFailure, but the call succeeded');
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'simulators-spec-'));
  const pkiDir = join(tmp, 'pki');
  sims = await startSimulators(testSeed(pkiDir));
  caPem = readFileSync(join(pkiDir, 'ca.crt.pem'), 'utf8');
  intermediary = credential(pkiDir, 'intermediary');
  municipality = credential(pkiDir, 'municipality-2120001231');
  tls = tlsOf(intermediary);
  far = new FarClient({ url: sims.farUrl, tls });
  operators = new MailboxOperatorClient({ tls });
  pdf = await makeTestPdf('Beslut i ärende 2026-42');
}, 120_000);

afterAll(async () => {
  far?.close();
  operators?.close();
  await sims?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const key of Object.keys(sims.operators)) {
    expect((await admin(`/operators/${key}/faults`, 'DELETE')).status).toBe(200);
    expect((await admin(`/operators/${key}/deliveries`, 'DELETE')).status).toBe(200);
  }
  expect((await admin('/far/faults', 'DELETE')).status).toBe(200);
});

describe('FaR simulator', () => {
  it('answers every register case of the demo seed', async () => {
    const kivra = { id: '165599000014', name: 'Kivra-lik brevlåda (simulator)', serviceAddress: url('kivra'), uiAddress: 'https://kivra.simulator.invalid' };
    const mmp = {
      id: '165599000022',
      name: 'Min myndighetspost-lik brevlåda (simulator)',
      serviceAddress: url('minmyndighetspost'),
      uiAddress: 'https://mmp.simulator.invalid',
    };
    const yes = (recipientId: string, operator: typeof kivra): Reachability => ({
      recipientId,
      deliverable: true,
      accountType: 'Secure',
      pending: false,
      senderAccepted: true,
      operator,
    });
    const expected: Reachability[] = [
      yes(KIVRA_PERSON, kivra),
      yes(KIVRA_PERSON_2, kivra),
      yes(KIVRA_PERSON_3, kivra),
      yes(MMP_PERSON, mmp),
      yes('198001022386', mmp),
      yes('200001012384', mmp),
      { recipientId: '199001022384', deliverable: false, reason: 'PENDING', accountType: 'Secure', pending: true, senderAccepted: true, operator: kivra },
      { recipientId: '200001011493', deliverable: false, reason: 'SENDER_NOT_ACCEPTED', accountType: 'Secure', pending: false, senderAccepted: false, operator: kivra },
      yes('198001032385', mmp),
      { recipientId: '201001012382', deliverable: false, reason: 'NOT_REGISTERED', accountType: 'Not', pending: false, senderAccepted: false },
      { recipientId: '199001032391', deliverable: false, reason: 'NOT_REGISTERED', accountType: 'Anonymous', pending: false, senderAccepted: false },
      yes('162021005448', mmp),
      yes('165599000030', kivra),
    ];
    // The table follows the seed: a new register case must get an expectation here.
    const seed = JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as SimulatorSeed;
    expect(expected.map((e) => e.recipientId)).toEqual(seed.register.map((r) => r.id));

    expect(await far.isReachable(SENDER, expected.map((e) => e.recipientId))).toEqual(expected);
  });

  it('applies rejectedSenders to the listed sender only', async () => {
    const [blocked] = await far.isReachable(OTHER_SENDER, ['198001032385']);
    expect(blocked).toMatchObject({ deliverable: false, reason: 'SENDER_NOT_ACCEPTED', senderAccepted: false, accountType: 'Secure' });
    expect(blocked.operator?.serviceAddress).toBe(url('minmyndighetspost'));
    const [fine] = await far.isReachable(SENDER, ['198001032385']);
    expect(fine).toMatchObject({ deliverable: true, senderAccepted: true });
    // Other recipients are unaffected for the other sender.
    const [other] = await far.isReachable(OTHER_SENDER, [MMP_PERSON]);
    expect(other.deliverable).toBe(true);
  });

  it('answers unlisted ids NOT_REGISTERED with the demo rule', async () => {
    const listed = new Set((JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as SimulatorSeed).register.map((r) => r.id));
    const [unlisted] = pickTestPersonnummer(20, 99).filter((id) => !listed.has(id));
    const [r] = await far.isReachable(SENDER, [unlisted]);
    expect(r).toMatchObject({ recipientId: unlisted, deliverable: false, reason: 'NOT_REGISTERED', accountType: 'Not' });
  });

  it('refuses a client certificate from the test CA that is not a registered FaR client with 5002 (permanent)', async () => {
    const client = new FarClient({ url: sims.farUrl, tls: tlsOf(municipality) });
    try {
      const f = await failure(client.isReachable(SENDER, [KIVRA_PERSON]));
      expect(f.kind).toBe('permanent');
      expect(f.code).toBe('FAR_FAULT');
      expect(f.details.faultCode).toBe(5002);
      expect(f.message).toContain('162120001231');
    } finally {
      client.close();
    }
  });

  describe('raw requests (the client would batch or refuse them)', () => {
    let transport: HttpsTransport;
    beforeAll(() => {
      transport = new HttpsTransport({ tls });
    });
    afterAll(() => transport.close());

    async function rawFault(ids: string[]): Promise<{ status: number; code?: number; description?: string }> {
      const res = await transport.post(sims.farUrl, toSoapEnvelope(buildIsReachableBody(SENDER, ids)));
      const parsed = parseSoapEnvelope(res.body);
      return { status: res.status, code: parsed.fault?.applicationFault?.errorCode, description: parsed.fault?.applicationFault?.description };
    }

    it('refuses more than 1000 recipient ids in one call with 5005', async () => {
      const ids = pickTestPersonnummer(1001, 7);
      expect(await rawFault(ids)).toEqual({ status: 500, code: 5005, description: expect.stringContaining('1001') });
      // Exactly 1000 is fine.
      const ok = await transport.post(sims.farUrl, toSoapEnvelope(buildIsReachableBody(SENDER, ids.slice(0, 1000))));
      expect(ok.status).toBe(200);
      expect(ok.body.match(/<return>/g)).toHaveLength(1000);
    });

    it('refuses an invalid recipient id with 5001, naming it', async () => {
      expect(await rawFault([KIVRA_PERSON, '198101032385'])).toEqual({ status: 500, code: 5001, description: expect.stringContaining('198101032385') });
      expect(await rawFault(['19810103238'])).toMatchObject({ code: 5001 });
    });
  });

  it('injects faults per recipient: http5xx is retryable', async () => {
    const res = await admin('/far/faults', 'PUT', { recipients: { [KIVRA_PERSON_2]: { mode: 'http5xx', status: 502 } } });
    expect(res.status).toBe(200);
    const f = await failure(far.isReachable(SENDER, [KIVRA_PERSON, KIVRA_PERSON_2]));
    expect(f).toMatchObject({ kind: 'retryable', code: 'HTTP_5XX' });
    expect(f.details.httpStatus).toBe(502);
    expect((await far.isReachable(SENDER, [KIVRA_PERSON]))[0].deliverable).toBe(true);
  });

  describe('with unlisted: hash', () => {
    let hashed: RunningSimulators;
    let client: FarClient;
    beforeAll(async () => {
      hashed = await startSimulators(
        testSeed(join(tmp, 'pki'), { unlisted: { mode: 'hash', shares: { kivra: 1, minmyndighetspost: 1, 'not-registered': 1 } } }),
      );
      client = new FarClient({ url: hashed.farUrl, tls });
    }, 120_000);
    afterAll(async () => {
      client?.close();
      await hashed?.close();
    });

    it('spreads unlisted ids over the operators deterministically and keeps listed ids as registered', async () => {
      const listed = new Set((JSON.parse(readFileSync(DEMO_SEED, 'utf8')) as SimulatorSeed).register.map((r) => r.id));
      const ids = pickTestPersonnummer(600, 3).filter((id) => !listed.has(id));
      const first = await client.isReachable(SENDER, ids);
      const where = (r: Reachability): string => (r.accountType === 'Not' ? 'not-registered' : r.operator!.serviceAddress);
      const counts: Record<string, number> = {};
      for (const r of first) counts[where(r)] = (counts[where(r)] ?? 0) + 1;
      expect(Object.keys(counts).sort()).toEqual([hashed.operators.kivra.url, hashed.operators.minmyndighetspost.url, 'not-registered'].sort());
      // Equal shares: each gets a fair part of ~600 (a stable hash, so this is exact for these ids, not a chance).
      for (const n of Object.values(counts)) expect(n).toBeGreaterThan(ids.length / 6);
      for (const r of first) {
        expect(r.deliverable).toBe(r.accountType === 'Secure');
      }

      // Same answers again, in another order and split differently.
      const reversed = [...ids].reverse();
      const again = await client.isReachable(SENDER, reversed);
      expect(again.map(where)).toEqual([...first].reverse().map(where));

      // Listed ids keep their register answer.
      const [pending, not] = await client.isReachable(SENDER, ['199001022384', '201001012382']);
      expect(pending.reason).toBe('PENDING');
      expect(not.reason).toBe('NOT_REGISTERED');
    });

    it('lets the operator holding a hashed id accept a delivery to it', async () => {
      const [r] = (await client.isReachable(SENDER, pickTestPersonnummer(200, 5))).filter((x) => x.deliverable && !x.recipientId.startsWith('16'));
      const result = await operators.deliverSecure(r.operator!.serviceAddress, sealedFor(r.recipientId).sealed);
      expect(result.delivered).toBe(true);
    });
  });
});

describe('mailbox operator simulator', () => {
  it('stores a signed and sealed delivery and answers Delivered=true with a TransId', async () => {
    const input = delivery(KIVRA_PERSON);
    const sealed = sealDelivery(signDelivery(input, municipality), intermediary);
    const result = await operators.deliverSecure(url('kivra'), sealed);
    expect(result.delivered).toBe(true);
    expect(result.statuses).toEqual([{ recipientId: KIVRA_PERSON, delivered: true }]);
    expect(result.transId).toMatch(/^[0-9a-f-]{36}$/);

    const list = await admin<StoredDelivery[]>(`/operators/kivra/deliveries?messageId=${encodeURIComponent(input.messages[0].id)}`);
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
    const pki = sims.pki;
    expect(list.json[0]).toMatchObject({
      transId: result.transId,
      senderId: SENDER,
      senderName: 'Demo kommun',
      recipient: KIVRA_PERSON,
      messageIds: [input.messages[0].id],
      subjects: [input.messages[0].subject],
      reference: input.reference,
      attachments: [{ filename: 'beslut.pdf', contentType: 'application/pdf', bytes: pdf.length, checksum: md5(pdf) }],
      senderCertificate: pki.municipalities['2120001231'].subject,
      sealCertificate: pki.intermediary.subject,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      redeliveries: 0,
    });
    expect(list.json[0].senderCertificate).toContain('SERIALNUMBER=162120001231');
    expect(list.json[0].sealCertificate).toContain('SERIALNUMBER=165591234561');
    expect(list.json[0]).not.toHaveProperty('raw');

    const one = await admin<StoredDelivery>(`/operators/kivra/deliveries/${result.transId}`);
    expect(one.json.transId).toBe(result.transId);
    const raw = await fetch(`${sims.adminUrl}/operators/kivra/deliveries/${result.transId}/raw`);
    expect(raw.headers.get('content-type')).toMatch(/^text\/xml/);
    const rawText = await raw.text();
    expect(rawText).toContain('deliverSecure');
    expect(rawText).toContain(input.messages[0].subject);

    // Nothing at the other operator; the recipient filter works.
    expect((await admin<StoredDelivery[]>('/operators/minmyndighetspost/deliveries')).json).toEqual([]);
    expect((await admin<StoredDelivery[]>(`/operators/kivra/deliveries?recipient=${KIVRA_PERSON}`)).json).toHaveLength(1);
    expect((await admin<StoredDelivery[]>(`/operators/kivra/deliveries?recipient=${KIVRA_PERSON_2}`)).json).toHaveLength(0);
  });

  it('answers a redelivery of the same message with the same TransId and stores it once', async () => {
    const { sealed, messageId } = sealedFor(MMP_PERSON);
    const first = await operators.deliverSecure(url('minmyndighetspost'), sealed);
    const second = await operators.deliverSecure(url('minmyndighetspost'), sealed);
    expect(second).toEqual(first);
    expect(first.delivered).toBe(true);

    const list = await admin<StoredDelivery[]>(`/operators/minmyndighetspost/deliveries?messageId=${encodeURIComponent(messageId)}`);
    expect(list.json).toHaveLength(1);
    expect(list.json[0].redeliveries).toBe(1);
    expect((await admin<StoredDelivery[]>('/operators/minmyndighetspost/deliveries')).json).toHaveLength(1);
    const stats = (await admin<{ stats: { accepted: number; redeliveries: number } }>('/operators/minmyndighetspost')).json.stats;
    expect(stats).toMatchObject({ accepted: 1, redeliveries: 1 });
  });

  describe('refusals (permanent, with the fault code a real operator gives)', () => {
    async function refused(key: string, sealed: string, client = operators): Promise<TransportFailure> {
      const f = await failure(client.deliverSecure(url(key), sealed));
      expect(f.kind).toBe('permanent');
      expect(f.code).toBe('OPERATOR_FAULT');
      expect((await admin<StoredDelivery[]>(`/operators/${key}/deliveries`)).json).toEqual([]);
      return f;
    }

    it('schema-invalid: an unknown element in a signed and sealed document → 5001', async () => {
      const { sealed } = sealedFor(KIVRA_PERSON);
      const withUnknown = sealed.replace('</Subject>', '</Subject><Colour>blue</Colour>');
      expect(withUnknown).not.toBe(sealed);
      const f = await refused('kivra', withUnknown);
      expect(f.details.faultCode).toBe(5001);
      expect(f.details.description).toMatch(/invalid input/);
      expect(await refusedCounts('kivra')).toEqual({ schema: 1 });
    });

    it('a tampered subject → 5012', async () => {
      const input = delivery(KIVRA_PERSON);
      const sealed = sealDelivery(signDelivery(input, municipality), intermediary);
      const tampered = sealed.replace(`<Subject>${input.messages[0].subject}</Subject>`, '<Subject>Beslut: avslag</Subject>');
      expect(tampered).not.toBe(sealed);
      const f = await refused('kivra', tampered);
      expect(f.details.faultCode).toBe(5012);
      expect(await refusedCounts('kivra')).toEqual({ 'signature:sender:invalid-signature': 1 });
    });

    it('a sender signature by a certificate not from the trusted CA → 5002', async () => {
      const otherPkiDir = mkdtempSync(join(tmpdir(), 'simulators-spec-other-pki-'));
      try {
        const other = await ensureTestPki(otherPkiDir, pkiSpecForSeed(testSeed(otherPkiDir)));
        expect(other.caCertPem).not.toBe(caPem);
        const impostor = credential(otherPkiDir, 'municipality-2120001231');
        // Same subject, same serialNumber: only the issuing CA differs.
        expect(impostor.subjectName).toBe(municipality.subjectName);
        const sealed = sealDelivery(signDelivery(delivery(KIVRA_PERSON), impostor), intermediary);
        const f = await refused('kivra', sealed);
        expect(f.details.faultCode).toBe(5002);
        expect(await refusedCounts('kivra')).toEqual({ 'signature:sender:untrusted-certificate': 1 });
      } finally {
        rmSync(otherPkiDir, { recursive: true, force: true });
      }
    }, 120_000);

    it('a seal by a CA-issued certificate that is not an approved förmedlare → 5002', async () => {
      const sealed = sealDelivery(signDelivery(delivery(KIVRA_PERSON), municipality), municipality);
      const f = await refused('kivra', sealed);
      expect(f.details.faultCode).toBe(5002);
      expect(await refusedCounts('kivra')).toEqual({ 'seal-not-intermediary': 1 });
    });

    it('a recipient whose mailbox is at the other operator → 5003', async () => {
      const f = await refused('kivra', sealedFor(MMP_PERSON).sealed);
      expect(f.details.faultCode).toBe(5003);
      expect(await refusedCounts('kivra')).toEqual({ recipient: 1 });
      // An unregistered recipient too.
      const g = await refused('minmyndighetspost', sealedFor('201001012382').sealed);
      expect(g.details.faultCode).toBe(5003);
    });

    it('a TLS client certificate that is not an approved förmedlare → 5002', async () => {
      const client = new MailboxOperatorClient({ tls: tlsOf(municipality) });
      try {
        const f = await refused('kivra', sealedFor(KIVRA_PERSON).sealed, client);
        expect(f.details.faultCode).toBe(5002);
        expect(await refusedCounts('kivra')).toEqual({ 'unknown-client': 1 });
      } finally {
        client.close();
      }
    });

    it('an attachment that is not a PDF → 5019', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      const input = delivery(KIVRA_PERSON, [{ contentType: 'image/png', filename: 'bild.png', content: png }]);
      const signed = signDelivery(input, municipality, { maxDeliveryBytes: 2 * 1024 * 1024, allowedAttachmentTypes: ['application/pdf', 'image/png'] });
      const f = await refused('kivra', sealDelivery(signed, intermediary));
      expect(f.details.faultCode).toBe(5019);
      expect(f.details.description).toContain('image/png');
      expect(await refusedCounts('kivra')).toEqual({ mime: 1 });
    });
  });

  describe('fault injection', () => {
    it('delivered-false for one recipient: a negative result, not an exception; others are delivered', async () => {
      await setFaults('kivra', { recipients: { [KIVRA_PERSON_2]: { mode: 'delivered-false' } } });
      const result = await operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON_2).sealed);
      expect(result.delivered).toBe(false);
      expect(result.statuses).toEqual([{ recipientId: KIVRA_PERSON_2, delivered: false }]);
      expect(result.transId).toBeTruthy();
      expect((await admin<StoredDelivery[]>(`/operators/kivra/deliveries?recipient=${KIVRA_PERSON_2}`)).json).toEqual([]);

      expect((await operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed)).delivered).toBe(true);
      const op = (await admin<{ stats: { injected: Record<string, number> }; faults: FaultConfig }>('/operators/kivra')).json;
      expect(op.stats.injected).toEqual({ 'delivered-false': 1 });
      expect(op.faults).toEqual({ recipients: { [KIVRA_PERSON_2]: { mode: 'delivered-false' } } });
    });

    it('http5xx: TransportFailure retryable HTTP_5XX', async () => {
      await setFaults('kivra', { recipients: { [KIVRA_PERSON]: { mode: 'http5xx' } } });
      const f = await failure(operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed));
      expect(f).toMatchObject({ kind: 'retryable', code: 'HTTP_5XX' });
      expect(f.details.httpStatus).toBe(503);
    });

    it('fault with a known code (5001) is permanent; an unknown code (7777) is retryable by default', async () => {
      await setFaults('kivra', { recipients: { [KIVRA_PERSON]: { mode: 'fault', code: 5001 }, [KIVRA_PERSON_2]: { mode: 'fault', code: 7777 } } });
      const known = await failure(operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed));
      expect(known).toMatchObject({ kind: 'permanent', code: 'OPERATOR_FAULT' });
      expect(known.details.faultCode).toBe(5001);
      const unknown = await failure(operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON_2).sealed));
      expect(unknown).toMatchObject({ kind: 'retryable', code: 'OPERATOR_FAULT' });
      expect(unknown.details.faultCode).toBe(7777);
      expect(unknown.message).toContain('unknown code');
    });

    it('timeout: the operator holds the request, the client gives up with a retryable TIMEOUT', async () => {
      await setFaults('kivra', { recipients: { [KIVRA_PERSON]: { mode: 'timeout' } }, timeoutHoldMs: 1500 });
      const client = new MailboxOperatorClient({ tls, timeoutMs: 500 });
      try {
        const f = await failure(client.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed));
        expect(f).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
      } finally {
        client.close();
      }
      expect((await admin<StoredDelivery[]>('/operators/kivra/deliveries')).json).toEqual([]);
    });

    it('times: 1 fails once, then the same delivery goes through (stored once)', async () => {
      await setFaults('minmyndighetspost', { recipients: { [MMP_PERSON]: { mode: 'http5xx', times: 1 } } });
      const { sealed, messageId } = sealedFor(MMP_PERSON);
      const f = await failure(operators.deliverSecure(url('minmyndighetspost'), sealed));
      expect(f.kind).toBe('retryable');
      const result = await operators.deliverSecure(url('minmyndighetspost'), sealed);
      expect(result.delivered).toBe(true);
      const list = (await admin<StoredDelivery[]>(`/operators/minmyndighetspost/deliveries?messageId=${encodeURIComponent(messageId)}`)).json;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ transId: result.transId, redeliveries: 0 });
    });

    it('latency: the answer still comes; a client that gives up first retries and gets the same TransId', async () => {
      await setFaults('kivra', { latencyMs: 1500 });
      const impatient = new MailboxOperatorClient({ tls, timeoutMs: 300 });
      const { sealed, messageId } = sealedFor(KIVRA_PERSON_3);
      try {
        const f = await failure(impatient.deliverSecure(url('kivra'), sealed));
        expect(f).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
      } finally {
        impatient.close();
      }
      // The operator finishes the request the client gave up on and stores it: wait until it shows up.
      let stored: StoredDelivery[] = [];
      for (let i = 0; i < 200 && stored.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        stored = (await admin<StoredDelivery[]>(`/operators/kivra/deliveries?messageId=${encodeURIComponent(messageId)}`)).json;
      }
      expect(stored).toHaveLength(1);
      // The patient retry (default timeout) gets the TransId of the stored delivery.
      const retry = await operators.deliverSecure(url('kivra'), sealed);
      expect(retry).toMatchObject({ delivered: true, transId: stored[0].transId });
      expect((await admin<StoredDelivery[]>('/operators/kivra/deliveries')).json).toHaveLength(1);
    });

    it('rates: faults drawn from a seeded generator, the same sequence for the same seed', async () => {
      const config: FaultConfig = { rates: { 'delivered-false': 0.5 }, seed: 42 };
      const run = async (): Promise<boolean[]> => {
        await setFaults('kivra', config);
        const outcomes: boolean[] = [];
        for (let i = 0; i < 16; i++) outcomes.push((await operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed)).delivered);
        return outcomes;
      };
      const first = await run();
      expect(first).toContain(true);
      expect(first).toContain(false);
      expect(await run()).toEqual(first);
      const stored = (await admin<StoredDelivery[]>('/operators/kivra/deliveries')).json;
      expect(stored).toHaveLength(2 * first.filter(Boolean).length);

      // rate 1 with an unknown faultCode: every delivery fails, retryable.
      await setFaults('kivra', { rates: { fault: 1 }, faultCode: 7777 });
      for (let i = 0; i < 3; i++) {
        const f = await failure(operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed));
        expect(f.kind).toBe('retryable');
        expect(f.details.faultCode).toBe(7777);
      }
      // The other operator is not affected.
      expect((await operators.deliverSecure(url('minmyndighetspost'), sealedFor(MMP_PERSON).sealed)).delivered).toBe(true);
    });

    it('after DELETE faults, deliveries are normal again', async () => {
      await setFaults('kivra', { rates: { http5xx: 1 } });
      expect((await failure(operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed))).code).toBe('HTTP_5XX');
      const cleared = await admin('/operators/kivra/faults', 'DELETE');
      expect(cleared).toEqual({ status: 200, json: {} });
      expect((await operators.deliverSecure(url('kivra'), sealedFor(KIVRA_PERSON).sealed)).delivered).toBe(true);
    });
  });
});

describe('admin API', () => {
  it('answers /health with the endpoints', async () => {
    const res = await admin<{ status: string; far: string; operators: Record<string, { url: string }> }>('/health');
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('ok');
    expect(res.json.far).toBe(sims.farUrl);
    expect(res.json.operators.kivra.url).toBe(url('kivra'));
  });

  it('lists the operators', async () => {
    const res = await admin<{ key: string; id: string }[]>('/operators');
    expect(res.json.map((o) => [o.key, o.id])).toEqual([
      ['kivra', '165599000014'],
      ['minmyndighetspost', '165599000022'],
    ]);
  });

  it('answers 404 for an unknown operator, naming the known ones', async () => {
    for (const [path, method] of [
      ['/operators/nosuch', 'GET'],
      ['/operators/nosuch/deliveries', 'GET'],
      ['/operators/nosuch/faults', 'PUT'],
      ['/operators/nosuch/deliveries', 'DELETE'],
    ]) {
      const res = await admin<{ error: string }>(path, method, method === 'PUT' ? {} : undefined);
      expect(res.status).toBe(404);
      expect(res.json.error).toBe('no operator "nosuch"; known: kivra, minmyndighetspost');
    }
  });

  it('answers 404 for an unknown delivery or path, and 400 for a bad fault config', async () => {
    const d = await admin<{ error: string }>('/operators/kivra/deliveries/00000000-0000-0000-0000-000000000000');
    expect(d).toEqual({ status: 404, json: { error: 'no delivery with TransId 00000000-0000-0000-0000-000000000000' } });
    const p = await admin<{ error: string }>('/nowhere');
    expect(p.status).toBe(404);
    expect(p.json.error).toMatch(/unknown path \/nowhere; try \/health/);
    const res = await fetch(`${sims.adminUrl}/operators/kivra/faults`, { method: 'PUT', body: '[1,2]' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/fault config: must be a JSON object/);
    const bad = await fetch(`${sims.adminUrl}/operators/kivra/faults`, { method: 'PUT', body: '{not json' });
    expect(bad.status).toBe(400);
  });
});
