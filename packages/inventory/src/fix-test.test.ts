import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runTestCommand, splitCommand } from './fix-test.js';

describe('splitCommand', () => {
  it('splits words with quotes and escapes, like a shell, and nothing more', () => {
    expect(splitCommand('npm test')).toEqual(['npm', 'test']);
    expect(splitCommand(`  pnpm  run "unit tests" --grep 'a b' x\\ y ""  `)).toEqual([
      'pnpm',
      'run',
      'unit tests',
      '--grep',
      'a b',
      'x y',
      '',
    ]);
    expect(splitCommand(`node -e "console.log(\\"$HOME\\")"`)).toEqual([
      'node',
      '-e',
      'console.log("$HOME")',
    ]);
  });

  it('refuses shell syntax instead of pretending to run it', () => {
    expect(() => splitCommand('npm ci && npm test')).toThrow(
      `the test command 'npm ci && npm test' uses shell syntax ('&'), which is not run through a shell: give an argv list such as ["sh", "-c", "..."]`,
    );
    expect(() => splitCommand('echo $HOME')).toThrow(/shell syntax \('\$'\)/);
    expect(() => splitCommand("npm 'test")).toThrow(`the test command 'npm 'test' has an unclosed ' quote`);
  });
});

describe('runTestCommand', () => {
  it('reports a command that cannot start as failed, without throwing', async () => {
    const r = await runTestCommand(['/nonexistent/devsecflow-test'], { cwd: tmpdir(), timeoutMs: 10_000 });
    expect(r).toMatchObject({ passed: false, exitCode: null, timedOut: false });
    expect(r.output).toBe('/nonexistent/devsecflow-test: ENOENT');
  });

  it('kills a command that runs past its timeout and says so', async () => {
    const r = await runTestCommand(
      [process.execPath, '-e', 'console.log("started"); setInterval(() => {}, 1000)'],
      {
        cwd: tmpdir(),
        timeoutMs: 1_000,
      },
    );
    expect(r).toMatchObject({ passed: false, exitCode: null, timedOut: true });
    expect(r.output).toBe('started');
  });
});
