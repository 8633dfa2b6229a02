#!/usr/bin/env node
'use strict';
// licence-report.js OUT_DIR NODE_MODULES_DIR...: one row per installed npm package (name, version,
// licence) in OUT_DIR/license_info.csv, and their licence texts in OUT_DIR/license.txt.
const fs = require('node:fs');
const path = require('node:path');

function packages(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      packages(full, out);
      continue;
    }
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(full, 'package.json'), 'utf8'));
      out.push({
        dir: full,
        name: meta.name || entry.name,
        version: meta.version || '',
        license: typeof meta.license === 'string' ? meta.license : (meta.license && meta.license.type) || '',
      });
    } catch {
      /* not a package */
    }
    packages(path.join(full, 'node_modules'), out);
  }
  return out;
}

const csv = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const [out, ...dirs] = process.argv.slice(2);
const all = dirs
  .flatMap((d) => packages(d, []))
  .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'license_info.csv'),
  ['Name,Version,License', ...all.map((p) => [p.name, p.version, p.license].map(csv).join(','))].join('\n') + '\n',
);
const texts = [];
for (const p of all) {
  for (const file of fs.readdirSync(p.dir)) {
    if (/^(licen[cs]e|copying|notice)/i.test(file) && fs.statSync(path.join(p.dir, file)).isFile()) {
      texts.push(`==== ${p.name} ${p.version}: ${file}\n${fs.readFileSync(path.join(p.dir, file), 'utf8')}\n`);
    }
  }
}
fs.writeFileSync(path.join(out, 'license.txt'), texts.join(''));
