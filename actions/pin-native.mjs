#!/usr/bin/env node
// Refreshes the integrity pins in actions/native-pins.json from the npm registry (`npm view`, one
// look-up per pinned package). Run after changing a version there; review the diff.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), 'native-pins.json');
const pins = JSON.parse(readFileSync(file, 'utf8'));
for (const p of pins.packages) {
  const integrity = JSON.parse(
    execFileSync('npm', ['view', `${p.name}@${p.version}`, 'dist.integrity', '--json'], { encoding: 'utf8' }),
  );
  if (typeof integrity !== 'string') throw new Error(`${p.name}@${p.version}: not on the registry`);
  p.integrity = integrity;
}
writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
console.log(`pinned ${pins.packages.length} packages`);
