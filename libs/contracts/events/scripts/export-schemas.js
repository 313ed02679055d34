#!/usr/bin/env node
/**
 * Writes the JSON Schema of every topic to libs/contracts/events/schemas/<topic>.schema.json, from the built
 * library (dist/index.js), and deletes schema files of topics that no longer exist.
 *
 *   npx tsc -b libs/contracts/events && node libs/contracts/events/scripts/export-schemas.js [--check]
 *
 * --check writes nothing and exits 1 if a file is missing, stale or different (for CI). The unit test
 * src/schema-files.spec.ts makes the same comparison against the TypeScript sources.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const libRoot = path.resolve(__dirname, '..');
const distIndex = path.join(libRoot, 'dist', 'index.js');
const outDir = path.join(libRoot, 'schemas');
const check = process.argv.includes('--check');

if (!fs.existsSync(distIndex)) {
  console.error(
    `export-schemas: ${path.relative(process.cwd(), distIndex)} is missing; build first: npx tsc -b ` +
      `libs/contracts/events`,
  );
  process.exit(2);
}
const { TOPICS, schemaFileName, schemaFileText } = require(distIndex);

const wanted = new Map(Object.values(TOPICS).map((topic) => [schemaFileName(topic), schemaFileText(topic)]));
const existing = fs.existsSync(outDir) ? fs.readdirSync(outDir).filter((f) => f.endsWith('.schema.json')) : [];
const problems = [];

if (!check) fs.mkdirSync(outDir, { recursive: true });
for (const [file, text] of wanted) {
  const target = path.join(outDir, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (current === text) continue;
  if (check) problems.push(`${current === null ? 'missing' : 'differs'}: schemas/${file}`);
  else {
    fs.writeFileSync(target, text);
    console.log(`wrote schemas/${file}`);
  }
}
for (const file of existing) {
  if (wanted.has(file)) continue;
  if (check) problems.push(`no such topic: schemas/${file}`);
  else {
    fs.unlinkSync(path.join(outDir, file));
    console.log(`deleted schemas/${file}`);
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error('fix: npx tsc -b libs/contracts/events && node libs/contracts/events/scripts/export-schemas.js');
  process.exit(1);
}
if (check) console.log(`schemas/ is up to date (${wanted.size} files)`);
