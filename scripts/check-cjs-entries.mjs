#!/usr/bin/env node
// Requires every library's CommonJS build the way Node 20.0–20.18 does: without require(esm)
// (`--no-experimental-require-module`), so an ESM-only dependency left external fails here, not
// in a user's `require()`. Run after `pnpm build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.join(root, 'packages');
const failures = [];
let checked = 0;
for (const name of readdirSync(packagesDir).sort()) {
  const manifestPath = path.join(packagesDir, name, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = manifest.exports?.['.']?.require?.default;
  if (manifest.private || typeof entry !== 'string') continue;
  const file = path.join(packagesDir, name, entry);
  if (!existsSync(file)) {
    failures.push(`${manifest.name}: ${path.relative(root, file)} is missing; run pnpm build first`);
    continue;
  }
  const run = spawnSync(process.execPath, ['--no-experimental-require-module', '-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  checked++;
  if (run.status !== 0) {
    const reason = run.stderr.split('\n').find((line) => /Error/.test(line)) ?? run.stderr.trim().split('\n')[0];
    failures.push(`${manifest.name}: require(${path.relative(root, file)}) failed: ${reason}`);
  } else console.log(`ok  ${manifest.name} (${path.relative(root, file)})`);
}
if (failures.length > 0) {
  for (const line of failures) console.error(`FAIL ${line}`);
  process.exit(1);
}
console.log(`${checked} CommonJS entries load without require(esm)`);
