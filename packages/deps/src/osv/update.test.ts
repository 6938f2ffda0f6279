import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { OfflineDb } from './offline.js';
import { updateOfflineDb } from './update.js';

const osvDir = fileURLToPath(new URL('../../test/fixtures/osv/', import.meta.url));
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

describe('updateOfflineDb', () => {
  it('downloads <Ecosystem>/all.zip, skips unchanged dumps by ETag, keeps the old dump on failure', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(osvDir))
      if (f.startsWith('GHSA-h') || f.startsWith('GHSA-3'))
        files[f] = new Uint8Array(readFileSync(join(osvDir, f)));
    const zip = zipSync(files);
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['if-none-match'] ?? ''}`);
      if (req.url === '/npm/all.zip') {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
        res.writeHead(200, { etag: '"v1"' });
        return void res.end(zip);
      }
      if (req.url === '/PyPI/all.zip') return void res.writeHead(200).end('not a zip');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'dsf-dbupd-'));

    const first = await updateOfflineDb({ dir, ecosystems: ['npm', 'PyPI', 'Go'], baseUrl });
    expect(first.map((r) => `${r.ecosystem}:${r.status}`)).toEqual([
      'npm:updated',
      'PyPI:failed',
      'Go:failed',
    ]);
    expect(first[1]!.error).toMatch(/not a readable zip/);
    expect(first[2]!.error).toMatch(/HTTP 404/);

    const second = await updateOfflineDb({ dir, ecosystems: ['npm'], baseUrl });
    expect(second[0]!.status).toBe('unchanged');
    expect(seen.at(-1)).toBe('/npm/all.zip "v1"');

    const r = await new OfflineDb({ dir }).query([{ ecosystem: 'npm', name: 'qs', version: '6.7.0' }]);
    expect(r.vulns[0]!.map((v) => v.id)).toEqual(['GHSA-hrpp-h998-j3pp']);
  });
});
