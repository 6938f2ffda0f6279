import { createReadStream } from 'node:fs';

/*
 * GitHub code scanning's `partialFingerprints.primaryLocationLineHash`, computed the way
 * github/codeql-action documents it in src/fingerprints.ts: a rolling polynomial hash (base 37,
 * 64-bit wrap-around) over the next 100 non-space, non-tab characters from the start of each line,
 * with CR and CRLF read as LF, a 65535 sentinel at end of file and NUL padding after it. Each hash is
 * suffixed `:n`, counting repeats of the same value in the file. Re-implemented with BigInt so we
 * need no `long` dependency; the test vectors of codeql-action's tests pass unchanged.
 */

const TAB = 9;
const SPACE = 32;
const LF = 10;
const CR = 13;
const EOF = 65535;
const BLOCK_SIZE = 100;
const MOD = 37n;
const MASK = (1n << 64n) - 1n;
const FIRST_MOD = (() => {
  let m = 1n;
  for (let i = 0; i < BLOCK_SIZE; i++) m = (m * MOD) & MASK;
  return m;
})();

/** Receives the hash of every line: 1-based line number and `hex:count`. */
export type LineHashCallback = (line: number, hash: string) => void;

/** Incremental hasher: feed text chunks, then `end()`. */
export class LineHasher {
  private readonly window = new Array<number>(BLOCK_SIZE).fill(0);
  private readonly lineNumbers = new Array<number>(BLOCK_SIZE).fill(-1);
  private hash = 0n;
  private index = 0;
  private lineNumber = 0;
  private lineStart = true;
  private prevCR = false;
  private readonly counts = new Map<string, number>();

  constructor(private readonly callback: LineHashCallback) {}

  update(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) this.processCharacter(chunk.charCodeAt(i));
  }

  end(): void {
    this.processCharacter(EOF);
    for (let i = 0; i < BLOCK_SIZE; i++) {
      if (this.lineNumbers[this.index] !== -1) this.output();
      this.roll(0);
    }
  }

  private output(): void {
    const hex = this.hash.toString(16);
    const n = (this.counts.get(hex) ?? 0) + 1;
    this.counts.set(hex, n);
    this.callback(this.lineNumbers[this.index]!, `${hex}:${n}`);
    this.lineNumbers[this.index] = -1;
  }

  private roll(current: number): void {
    const begin = this.window[this.index]!;
    this.window[this.index] = current;
    // Unsigned 64-bit arithmetic gives the same bits as codeql-action's signed Long wrap-around.
    this.hash = (MOD * this.hash + BigInt(current) - FIRST_MOD * BigInt(begin)) & MASK;
    this.index = (this.index + 1) % BLOCK_SIZE;
  }

  private processCharacter(code: number): void {
    let current = code;
    if (current === SPACE || current === TAB || (this.prevCR && current === LF)) {
      this.prevCR = false;
      return;
    }
    if (current === CR) {
      current = LF;
      this.prevCR = true;
    } else {
      this.prevCR = false;
    }
    if (this.lineNumbers[this.index] !== -1) this.output();
    if (this.lineStart) {
      this.lineStart = false;
      this.lineNumber++;
      this.lineNumbers[this.index] = this.lineNumber;
    }
    if (current === LF) this.lineStart = true;
    this.roll(current);
  }
}

/** Hashes of every line of `text`, index 0 = line 1. */
export function hashLines(text: string): string[] {
  const out: string[] = [];
  const h = new LineHasher((line, hash) => {
    out[line - 1] = hash;
  });
  h.update(text);
  h.end();
  return out;
}

/** Streams a file and returns the hash of each requested line (1-based). */
export async function hashFileLines(path: string, lines: ReadonlySet<number>): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const h = new LineHasher((line, hash) => {
    if (lines.has(line)) found.set(line, hash);
  });
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) h.update(chunk as string);
  h.end();
  return found;
}
