#!/usr/bin/env node
// `npm run demo:letter`: sends letters to the running demo hub (`npm start`) as the demo case system
// and follows them until they settle. One recipient has a digital mailbox at the Kivra-like
// simulator; the others have none, so those letters go to print: the print-vendor simulator pulls
// their batch, reports them printed and posted, and the one to "Okänd Mottagare" comes back (returned).
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const endpoints = JSON.parse(readFileSync(path.join(root, '.data/simulators.json'), 'utf8'));
const api = process.env.HUB_API_URL ?? 'http://127.0.0.1:3000/graphql';

async function token() {
  const res = await fetch(endpoints.tokenEndpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('demo-case-system:demo-case-system-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return (await res.json()).access_token;
}

async function gql(bearer, query, variables) {
  const res = await fetch(api, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors) throw new Error(body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join('\n'));
  return body.data;
}

const SUBMIT = `mutation($input: LetterInput!) { submitLetter(input: $input) { id status } }`;
const LETTER = `query($id: ID!) { letter(id: $id) { id status statusReason channel operator { name } transId
  print { batch { id } pages sheets postageClass } events { type toStatus createdAt } } }`;
// States after which nothing more happens in the demo (POSTED may still become RETURNED).
const FINAL = ['DELIVERED', 'RETURNED', 'HELD', 'PRINT_FAILED', 'FAILED', 'CANCELLED'];

async function main() {
  const bearer = await token();
  const letters = [
    { recipient: '198101032384', name: 'Test Testsson', note: 'has a digital mailbox (Kivra-like)', settles: ['DELIVERED'] },
    { recipient: '201001012382', name: 'Test Testsson', note: 'has no digital mailbox: goes to print', settles: ['POSTED'] },
    { recipient: '199001032391', name: 'Okänd Mottagare', note: 'no digital mailbox, and the post will return it', settles: ['RETURNED'] },
  ];
  const submitted = [];
  for (const l of letters) {
    const input = {
      recipient: l.recipient,
      caseReference: 'BN 2026-123',
      subject: 'Beslut om bygglov för Åkerö 1:23',
      body: { contentType: 'text/plain', text: 'Hej!\n\nDitt ärende är beslutat. Beslutet gäller från i dag.\n\nMed vänlig hälsning\nDemo kommun' },
      protectionClass: 2,
      channelPreference: 'AUTO',
      postalAddress: { name: l.name, lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' },
      idempotencyKey: `demo-${l.recipient}-${Date.now()}`,
    };
    const { submitLetter } = await gql(bearer, SUBMIT, { input });
    process.stdout.write(`letter ${submitLetter.id} to ${l.recipient} (${l.note}): ${submitLetter.status}\n`);
    submitted.push({ ...l, id: submitLetter.id, last: submitLetter.status });
  }
  process.stdout.write('\nfollowing them (print takes about 20 s in the demo: the batch waits 10 s, the vendor reports after a few seconds)…\n');
  const deadline = Date.now() + 90_000;
  const done = new Map();
  while (done.size < submitted.length && Date.now() < deadline) {
    for (const l of submitted) {
      if (done.has(l.id)) continue;
      const { letter } = await gql(bearer, LETTER, { id: l.id });
      if (letter.status !== l.last) {
        process.stdout.write(`  ${l.recipient}: ${letter.status}\n`);
        l.last = letter.status;
      }
      if (l.settles.includes(letter.status) || FINAL.includes(letter.status)) done.set(l.id, letter);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const l of submitted) {
    const letter = done.get(l.id) ?? (await gql(bearer, LETTER, { id: l.id })).letter;
    process.stdout.write(`\nletter ${l.id} to ${l.recipient}:\n`);
    for (const e of letter.events) process.stdout.write(`  ${e.createdAt}  ${e.type}${e.toStatus ? ` → ${e.toStatus}` : ''}\n`);
    process.stdout.write(
      `  status ${letter.status}${letter.statusReason ? ` (${letter.statusReason})` : ''}` +
        (letter.transId ? `, delivered to ${letter.operator?.name}, TransId ${letter.transId}` : '') +
        (letter.print?.batch ? `, print batch ${letter.print.batch.id} (${letter.print.pages} page${letter.print.pages === 1 ? '' : 's'}, ${letter.print.postageClass})` : '') +
        '\n',
    );
  }
  if (done.size < submitted.length) throw new Error('some letters did not settle within 90 s (is the worker running?)');
}

main().catch((e) => {
  console.error(`demo:letter: ${e.message}\n(is the hub running? start it with \`npm start\`)`);
  process.exit(1);
});
