#!/usr/bin/env node
// The `mm` command: runs the compiled CLI (npm install builds it; `npm run build` rebuilds).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'apps', 'mm', 'src', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('mm: not built yet: run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`mm: needs Node.js 24 (this is ${process.version}); run it as \`npx mm\` or \`npm run mm --\` so the project's Node 24 is used\n`);
  process.exit(2);
}
process.argv[1] = 'mm';
require(entry).main();
