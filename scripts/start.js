#!/usr/bin/env node
// `npm start`: brings up the demo. Today that is the Mina meddelanden simulators (FaR and two
// mailbox operators) with their test PKI, followed by one `mm send` through the whole flow, so
// you can see it work; then it keeps running until Ctrl-C.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;

function step(msg) {
  process.stdout.write(`\n== ${msg}\n`);
}

if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`Node.js 24 is required (this is ${process.version}). Run \`npm install\` first, then \`npm start\`: npm puts the project's Node 24 first on the PATH.`);
  process.exit(1);
}
if (!existsSync(path.join(root, 'dist/apps/simulators/src/main.js'))) {
  step('building');
  const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

step('starting the simulators (FaR, two mailbox operators); the test PKI is generated on first start');
const sims = spawn(node, ['dist/apps/simulators/src/main.js', '--seed', 'apps/simulators/seed/demo.json', '--endpoints', '.data/simulators.json'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let ready = false;
const children = [sims];
const stopAll = (code) => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exit(code);
};
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
sims.on('exit', (code) => {
  if (!ready) console.error('the simulators did not start (see above)');
  stopAll(code ?? 1);
});
let buffer = '';
sims.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (ready) return;
  buffer += chunk.toString();
  const line = buffer.split('\n').find((l) => l.startsWith('SIMULATORS READY '));
  if (!line) return;
  ready = true;
  const endpoints = JSON.parse(line.slice('SIMULATORS READY '.length));
  demo(endpoints);
});

function demo(endpoints) {
  step('sending a first message through the whole flow: mm send (reachability, sign, seal, deliver)');
  const args = ['bin/mm.js', 'send', '--to', '198101032384', '--subject', 'Välkommen till Demo kommun', '--body', 'Hej! Det här är ett första meddelande från hubben.'];
  process.stdout.write(`$ npx mm ${args.slice(1).map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}\n`);
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('the demo send failed');
    stopAll(1);
  }
  step('ready');
  process.stdout.write(
    [
      `FaR:                ${endpoints.far}`,
      ...Object.entries(endpoints.operators).map(([k, o]) => `operator ${k.padEnd(10)} ${o.url}`),
      `inspect (HTTP):     ${endpoints.admin}/operators/kivra/deliveries`,
      '',
      'Try (in another terminal, in this directory):',
      '  npx mm reachable 198101032384 195001182046 201001012382 199001022384 --sender 2120001231',
      '  npx mm send --to 195001182046 --subject "Beslut" --body "Se bilaga" --attach <file.pdf>',
      '  npx mm demo-delivery --out /tmp/demo && npx mm verify /tmp/demo/deliver-secure.soap.xml',
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
