// Generates an npm OSV dump of realistic size and shape as <dir>/npm/all.zip:
//   node gen-osv.mjs <package-lock.json> <out.zip> <records>
// Like the real npm dump, ~98% are malicious-package (MAL-) records on names of their own and ~2%
// GHSA advisories with ECOSYSTEM ranges, one in twenty of which name packages of the bench lockfile (so the
// matcher has real work: range evaluation, alias merging, fixes). Deterministic (seeded PRNG).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const { zipSync, strToU8 } = createRequire(new URL('../../packages/deps/package.json', import.meta.url))(
  'fflate',
);
const [lockPath, out, countArg] = process.argv.slice(2);
const total = Number(countArg);
let seed = 0x2f6b1a3d;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ghsaChars = '23456789cfghjmpqrvwx';
const word = (n) => Array.from({ length: n }, () => alnum[Math.floor(rand() * 26)]).join('');
const ghsa = () =>
  `GHSA-${[4, 4, 4].map((n) => Array.from({ length: n }, () => pick(ghsaChars)).join('')).join('-')}`;
const lorem =
  'the package an attacker can a crafted input leads to prototype pollution denial of service via regular expression complexity when parsing untrusted data remote code execution is possible in versions before the fix users should upgrade'.split(
    ' ',
  );
const text = (words) => Array.from({ length: words }, () => pick(lorem)).join(' ');
const date = () =>
  `20${String(18 + Math.floor(rand() * 7))}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}T00:00:00Z`;
const vectors = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
];

const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const lockPkgs = Object.entries(lock.packages)
  .filter(([k, v]) => k && v.version)
  .map(([k, v]) => ({ name: v.name ?? k.slice(k.lastIndexOf('node_modules/') + 13), version: v.version }));

function ghsaRecord(i) {
  const target = rand() < 0.05 ? pick(lockPkgs) : { name: `${word(6)}-${word(5)}`, version: '1.2.3' };
  const [maj, min, pat] = (target.version.match(/\d+/g) ?? ['1', '0', '0']).map(Number);
  // some ranges contain the locked version, others fixed long ago
  const affects = rand() < 0.5;
  const fixed = affects ? `${maj}.${min}.${(pat ?? 0) + 1}` : `${Math.max(0, maj - 1)}.0.0`;
  const cve = `CVE-20${18 + Math.floor(rand() * 7)}-${10000 + i}`;
  return {
    schema_version: '1.4.0',
    id: ghsa(),
    modified: date(),
    published: date(),
    aliases: [cve],
    summary: text(6),
    details: text(120 + Math.floor(rand() * 120)),
    severity: [{ type: 'CVSS_V3', score: pick(vectors) }],
    affected: [
      {
        package: { ecosystem: 'npm', name: target.name },
        ranges: [
          {
            type: 'ECOSYSTEM',
            events:
              rand() < 0.2
                ? [{ introduced: '0' }, { last_affected: `${maj}.${min}.${pat ?? 0}` }]
                : [{ introduced: '0' }, { fixed }],
          },
        ],
        database_specific: {
          source: 'https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/x.json',
        },
      },
    ],
    references: Array.from({ length: 4 + Math.floor(rand() * 8) }, () => ({
      type: pick(['WEB', 'ADVISORY', 'PACKAGE', 'FIX']),
      url: `https://github.com/${word(8)}/${word(6)}/commit/${word(40)}`,
    })),
    database_specific: {
      cwe_ids: [`CWE-${100 + Math.floor(rand() * 1200)}`],
      severity: pick(['LOW', 'MODERATE', 'HIGH', 'CRITICAL']),
      github_reviewed: true,
      github_reviewed_at: date(),
      nvd_published_at: date(),
    },
  };
}

function malRecord(i) {
  const name = rand() < 0.3 ? `@${word(5)}/${word(8)}` : `${word(4 + Math.floor(rand() * 8))}-${word(5)}`;
  return {
    modified: date(),
    published: date(),
    schema_version: '1.5.0',
    id: `MAL-20${22 + Math.floor(rand() * 4)}-${i}`,
    summary: `Malicious code in ${name} (npm)`,
    details: `\n---\n_-= Per source details. Do not edit below this line.=-_\n\n## Source: ossf-package-analysis (${word(64)})\n${text(40 + Math.floor(rand() * 80))}\n`,
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ...(rand() < 0.5
          ? { versions: Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => `1.0.${k}`) }
          : { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }),
        database_specific: {
          cwes: [
            {
              cweId: 'CWE-506',
              description: 'The product contains code that appears to be malicious in nature.',
              name: 'Embedded Malicious Code',
            },
          ],
        },
      },
    ],
    references: [{ type: 'ADVISORY', url: `https://github.com/advisories/${ghsa()}` }],
    database_specific: {
      'malicious-packages-origins': [
        {
          source: 'ossf-package-analysis',
          sha256: word(64),
          import_time: date(),
          modified_time: date(),
          versions: ['1.0.0'],
        },
      ],
    },
  };
}

const files = {};
const ghsaCount = Math.round(total * 0.02);
for (let i = 0; i < total; i++) {
  const rec = i < ghsaCount ? ghsaRecord(i) : malRecord(i);
  files[`${rec.id}.json`] = strToU8(JSON.stringify(rec, null, 2));
}
/**
 * fflate writes the classic end-of-central-directory record only, whose 16-bit entry count wraps
 * past 65,535 entries. Real dumps (Go's archive/zip) carry a zip64 record: add one, as they do.
 */
function withZip64(zip, entries) {
  const eocd = zip.length - 22;
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (dv.getUint32(eocd, true) !== 0x06054b50) throw new Error('unexpected zip trailer');
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  const out = new Uint8Array(zip.length + 56 + 20);
  out.set(zip.subarray(0, eocd), 0);
  const o = new DataView(out.buffer);
  let p = eocd;
  o.setUint32(p, 0x06064b50, true);
  o.setBigUint64(p + 4, 44n, true);
  o.setUint16(p + 12, 45, true);
  o.setUint16(p + 14, 45, true);
  o.setBigUint64(p + 24, BigInt(entries), true);
  o.setBigUint64(p + 32, BigInt(entries), true);
  o.setBigUint64(p + 40, BigInt(cdSize), true);
  o.setBigUint64(p + 48, BigInt(cdOffset), true);
  const z64 = p;
  p += 56;
  o.setUint32(p, 0x07064b50, true);
  o.setBigUint64(p + 8, BigInt(z64), true);
  o.setUint32(p + 16, 1, true);
  p += 20;
  out.set(zip.subarray(eocd), p);
  o.setUint16(p + 8, 0xffff, true);
  o.setUint16(p + 10, 0xffff, true);
  return out;
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, withZip64(zipSync(files, { level: 6 }), total));
console.log(`wrote ${total} records (${ghsaCount} GHSA-like, ${total - ghsaCount} MAL-like) to ${out}`);
