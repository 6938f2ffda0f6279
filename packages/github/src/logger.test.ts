import { afterEach, describe, expect, it } from 'vitest';
import { createActionsLogger, writeUntrusted } from './logger.js';
import { captureStdout } from './test-helpers.js';

let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => out?.restore());

describe('writeUntrusted', () => {
  it('wraps text in stop-commands with a fresh token', () => {
    const lines: string[] = [];
    writeUntrusted('::add-mask::x\n::error::y', (t) => lines.push(t));
    writeUntrusted('z', (t) => lines.push(t));
    const m = /^::stop-commands::([0-9a-f]{32})\n::add-mask::x\n::error::y\n::\1::\n$/.exec(lines[0]!);
    expect(m).not.toBeNull();
    expect(lines[1]).not.toContain(m![1]!);
  });
});

describe('createActionsLogger', () => {
  it('writes plain lines as they are and wraps lines holding workflow commands', async () => {
    out = captureStdout();
    const log = createActionsLogger();
    log.info('scanned 3 files');
    log.info('file ::set-env name=X::y.js could not be parsed');
    log.warn('careful\n::error::no');
    await log.group('SAST', async () => log.info('inside'));
    const text = out.text();
    expect(text).toContain('scanned 3 files\n');
    expect(text).toMatch(
      /::stop-commands::[0-9a-f]{32}\nfile ::set-env name=X::y.js could not be parsed\n::[0-9a-f]{32}::\n/,
    );
    expect(text).toContain('::warning::careful%0A::error::no\n');
    expect(text).toContain('::group::SAST\ninside\n::endgroup::\n');
  });
});
