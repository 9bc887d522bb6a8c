import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HubConfig } from '@hub/config';
import type { KeyVault } from '@hub/keys';
import {
  DeliveryResult,
  FarClient,
  MailboxOperatorClient,
  Reachability,
  SigningCredential,
  TlsClientOptions,
} from '@hub/mina-meddelanden';
import type { TenantDb } from '@hub/persistence';

/** The förmedlare credential or the CA bundle cannot be loaded: the process cannot talk to Mina meddelanden. */
export class MmGatewayError extends Error {}

/** What {@link MmGateway.create} needs. */
export interface MmGatewayOptions {
  config: Pick<HubConfig, 'FAR_URL' | 'MM_CA_FILE' | 'MM_TIMEOUT_MS'>;
  db: TenantDb;
  vault: KeyVault;
}

/** Name of the förmedlare's row in `platform_credential` (and, prefixed, the key's encryption context). */
export const INTERMEDIARY_CREDENTIAL = 'intermediary';

/**
 * The hub's connection to Mina meddelanden as förmedlare: one FaR client and one mailbox-operator
 * client per process, both authenticating with the förmedlare's function certificate (mutual TLS),
 * and the förmedlare credential that seals deliveries. Create it once at boot and share it.
 */
export class MmGateway {
  private constructor(
    /** The förmedlare's key and certificate: seals deliveries and is the TLS client certificate. */
    readonly intermediary: SigningCredential,
    private readonly far: FarClient,
    private readonly operators: MailboxOperatorClient,
  ) {}

  /**
   * Loads the förmedlare credential from `platform_credential` (its key decrypted with the master
   * key) and the CA bundle from `MM_CA_FILE`, and builds the clients. Throws {@link MmGatewayError}
   * saying what is missing.
   */
  static async create({ config, db, vault }: MmGatewayOptions): Promise<MmGateway> {
    const rows = await db.withoutTenant((em) =>
      em.execute<{ certificate_pem: string; key_ciphertext: Buffer }[]>(
        'select certificate_pem, key_ciphertext from platform_credential where name = ?',
        [INTERMEDIARY_CREDENTIAL],
      ),
    );
    if (rows.length === 0) {
      throw new MmGatewayError(
        `no förmedlare credential: platform_credential has no row "${INTERMEDIARY_CREDENTIAL}" (install one, or run \`npm run seed:demo\` for the demo)`,
      );
    }
    let intermediary: SigningCredential;
    try {
      const key = vault.decrypt(rows[0].key_ciphertext, `platform_credential:${INTERMEDIARY_CREDENTIAL}`);
      intermediary = SigningCredential.fromPem(key, rows[0].certificate_pem);
    } catch (e) {
      throw new MmGatewayError(`the förmedlare credential cannot be loaded: ${(e as Error).message}`);
    }
    const caFile = resolve(config.MM_CA_FILE);
    let caPem: string;
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new MmGatewayError(`MM_CA_FILE=${config.MM_CA_FILE}: cannot read the CA bundle (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new MmGatewayError(`MM_CA_FILE=${config.MM_CA_FILE}: holds no PEM certificate`);
    }
    const tls: TlsClientOptions = { certPem: intermediary.certificatePem, key: intermediary.privateKey, caPems: [caPem] };
    const far = new FarClient({ url: config.FAR_URL, tls, timeoutMs: config.MM_TIMEOUT_MS });
    const operators = new MailboxOperatorClient({ tls, timeoutMs: config.MM_TIMEOUT_MS });
    return new MmGateway(intermediary, far, operators);
  }

  /**
   * Asks FaR whether each recipient can receive digital mail from `senderOrgId` ("16" + orgnr, the
   * sending unit's). Answers come in input order; failures throw a classified `TransportFailure`.
   */
  isReachable(senderOrgId: string, recipientIds: string[]): Promise<Reachability[]> {
    return this.far.isReachable(senderOrgId, recipientIds);
  }

  /**
   * Hands a signed and sealed delivery to the mailbox operator at `serviceAddress` (from FaR).
   * `Delivered=false` is returned; failures throw a classified `TransportFailure`.
   */
  deliver(serviceAddress: string, sealedXml: string): Promise<DeliveryResult> {
    return this.operators.deliverSecure(serviceAddress, sealedXml);
  }

  /** Closes the pooled connections. */
  close(): void {
    this.far.close();
    this.operators.close();
  }
}
