#!/usr/bin/env node
// `npm run demo:letter`: sends letters to the running demo hub (`npm start`) as the demo case system
// and follows them until they settle. One recipient has a digital mailbox at the Kivra-like
// simulator; the other has none, so that letter goes to print.
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
const LETTER = `query($id: ID!) { letter(id: $id) { id status statusReason channel operator { name } transId events { type toStatus createdAt } } }`;
const TERMINAL = ['DELIVERED', 'PRINT_PENDING', 'FAILED', 'CANCELLED'];

async function main() {
  const bearer = await token();
  const letters = [
    { recipient: '198101032384', note: 'has a digital mailbox (Kivra-like)' },
    { recipient: '201001012382', note: 'has no digital mailbox: goes to print' },
  ];
  for (const l of letters) {
    const input = {
      recipient: l.recipient,
      caseReference: 'BN 2026-123',
      subject: 'Beslut om bygglov för Åkerö 1:23',
      body: { contentType: 'text/plain', text: 'Hej!\n\nDitt ärende är beslutat. Beslutet gäller från i dag.\n\nMed vänlig hälsning\nDemo kommun' },
      protectionClass: 2,
      channelPreference: 'AUTO',
      postalAddress: { name: 'Test Testsson', lines: ['Storgatan 1'], postalCode: '123 45', city: 'Demostad' },
      idempotencyKey: `demo-${l.recipient}-${Date.now()}`,
    };
    const { submitLetter } = await gql(bearer, SUBMIT, { input });
    process.stdout.write(`\nletter ${submitLetter.id} to ${l.recipient} (${l.note}): ${submitLetter.status}\n`);
    let letter;
    for (let i = 0; i < 60; i++) {
      ({ letter } = await gql(bearer, LETTER, { id: submitLetter.id }));
      if (TERMINAL.includes(letter.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const e of letter.events) process.stdout.write(`  ${e.createdAt}  ${e.type}${e.toStatus ? ` → ${e.toStatus}` : ''}\n`);
    process.stdout.write(
      `  status ${letter.status}${letter.statusReason ? ` (${letter.statusReason})` : ''}` +
        (letter.transId ? `, delivered to ${letter.operator?.name}, TransId ${letter.transId}` : '') +
        '\n',
    );
  }
}

main().catch((e) => {
  console.error(`demo:letter: ${e.message}\n(is the hub running? start it with \`npm start\`)`);
  process.exit(1);
});
