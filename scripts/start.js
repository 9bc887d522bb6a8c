#!/usr/bin/env node
// `npm start`: the whole hub for a demo on one machine. Starts PostgreSQL and Redis when they are
// installed but stopped, creates the database roles, migrates, seeds "Demo kommun" (certificates
// from the test PKI), starts the simulators (FaR, two mailbox operators, a local OIDC issuer), the
// API and a worker, then prints a command that sends a first letter. Ctrl-C stops everything.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { randomBytes } = require('node:crypto');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;
const dataDir = path.join(root, '.data');
const children = [];

function step(msg) {
  process.stdout.write(`\n== ${msg}\n`);
}
function fail(msg) {
  console.error(`\nnpm start: ${msg}`);
  stopAll(1);
}
function stopAll(code) {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 300);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function quiet(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function ensureServices() {
  if (!quiet('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'])) {
    if (have('pg_ctlcluster')) {
      const version = require('node:fs').readdirSync('/etc/postgresql')[0];
      step(`starting PostgreSQL ${version}`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    if (!quiet('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'])) fail('PostgreSQL is not reachable at 127.0.0.1:5432 (install it, or set DATABASE_* to yours)');
  }
  if (!quiet('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'])) {
    if (have('redis-server')) {
      step('starting Redis');
      spawnSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/tmp', '--logfile', '/tmp/redis-hub.log'], { stdio: 'inherit' });
    }
  }
}

function masterKey() {
  if (process.env.MASTER_KEY) return process.env.MASTER_KEY;
  const file = path.join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

function run(label, args, env) {
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${label} failed`);
}

function startProcess(name, args, env, readyPrefix) {
  return new Promise((resolve) => {
    const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let ready = false;
    let buf = '';
    const onData = (stream) => (chunk) => {
      const text = chunk.toString();
      if (!ready) {
        buf += text;
        const line = buf.split('\n').find((l) => l.startsWith(readyPrefix));
        if (line) {
          ready = true;
          process.stdout.write(`${line}\n`);
          resolve(line.slice(readyPrefix.length).trim());
        }
      }
      if (process.env.HUB_VERBOSE || stream === 'err') process.stderr.write(text.split('\n').filter(Boolean).map((l) => `[${name}] ${l}\n`).join(''));
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    child.on('exit', (code) => {
      if (!ready) fail(`${name} exited (${code}) before it was ready`);
      else if (code !== 0 && code !== null) fail(`${name} stopped (exit ${code})`);
    });
  });
}

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 24) {
    console.error(`Node.js 24 is required (this is ${process.version}). Run \`npm ci\` first, then \`npm start\`: npm puts the project's Node 24 first on the PATH.`);
    process.exit(1);
  }
  if (!existsSync(path.join(root, 'dist/apps/api/src/main.js'))) {
    step('building');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
  ensureServices();
  const env = { ...process.env, MASTER_KEY: masterKey() };

  step('database: roles, migrations, demo tenant');
  run('db setup', ['dist/apps/tools/src/db.js', 'setup'], env);
  run('migrate', ['dist/apps/tools/src/db.js', 'migrate'], env);
  run('seed', ['dist/apps/tools/src/db.js', 'seed-demo', '.data/pki'], env);

  step('simulators: FaR, two mailbox operators, OIDC issuer, print vendor');
  const sims = JSON.parse(
    await startProcess('simulators', ['dist/apps/simulators/src/main.js', '--seed', 'apps/simulators/seed/demo.json', '--endpoints', '.data/simulators.json'], env, 'SIMULATORS READY'),
  );
  const hubEnv = { ...env, OIDC_ISSUER: sims.oidcIssuer, FAR_URL: sims.far, MM_CA_FILE: '.data/pki/ca.crt.pem' };

  step('api and worker');
  const api = await startProcess('api', ['dist/apps/api/src/main.js'], hubEnv, 'API READY');
  await startProcess('worker', ['dist/apps/worker/src/main.js'], hubEnv, 'WORKER READY');

  step('ready');
  process.stdout.write(
    [
      `web console:        ${api.replace(/\/graphql$/, '/')}   (log in as handlaggare, admin or plattform; password demo)`,
      `GraphQL API:        ${api}`,
      `OIDC issuer:        ${sims.oidcIssuer}   (client demo-case-system / demo-case-system-secret)`,
      `FaR simulator:      ${sims.far}`,
      `operators:          ${Object.values(sims.operators).map((o) => o.url).join('  ')}`,
      `inspect operators:  ${sims.admin}/operators/kivra/deliveries`,
      `print-vendor API:   ${api.replace(/\/graphql$/, '')}/print/v1/batches   (OpenAPI: ${api.replace(/\/graphql$/, '')}/print/v1/openapi.json; client demo-print-vendor / demo-print-vendor-secret)`,
      `print vendor:       simulated, polls every 2 s; what it pulled: ${sims.admin}/print-vendor   (batch files in .data/print)`,
      '',
      'Send a first letter and follow its status (in another terminal, in this directory):',
      '',
      '  npm run demo:letter',
      '',
      'or by hand:',
      `  TOKEN=$(curl -s -u demo-case-system:demo-case-system-secret -d grant_type=client_credentials ${sims.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `  curl -s ${api} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
      `    -d '{"query":"mutation { submitLetter(input: { recipient: \\"198101032384\\", caseReference: \\"BN 2026-1\\", subject: \\"Beslut om bygglov\\", body: { text: \\"Hej! Beslutet finns här.\\" }, protectionClass: 2, channelPreference: AUTO }) { id status } }"}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((e) => fail(e.stack || String(e)));
