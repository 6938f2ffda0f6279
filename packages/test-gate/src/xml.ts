import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from '@devsecflow/core';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

/** Where XML comes from: a file path, or a stream / async iterable of chunks (tests, bench). */
export type XmlInput = string | Readable | AsyncIterable<string | Uint8Array>;

/** The handlers a reader gives the streaming parser. Text is only delivered while `wantText()` says so. */
export interface XmlHandlers {
  open(tag: SaxesTagPlain, depth: number): void;
  close(name: string, depth: number): void;
  text?(text: string): void;
}

/**
 * DOCTYPEs that coverage tools always write and that we accept without reading them: public ids
 * only, no internal subset, never fetched. Anything else (any internal subset, any other SYSTEM id)
 * is refused, which rules out entity expansion bombs and external entities (XXE).
 */
const ALLOWED_DOCTYPES: RegExp[] = [
  // JaCoCo: <!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
  /^\s*report\s+PUBLIC\s+"-\/\/JACOCO\/\/DTD Report 1\.[0-9]+\/\/EN"\s+"report\.dtd"\s*$/,
  // Cobertura (also written by istanbul's cobertura reporter):
  // <!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-0N.dtd">
  /^\s*coverage\s+SYSTEM\s+"https?:\/\/cobertura\.sourceforge\.net\/xml\/coverage-0[0-9]\.dtd"\s*$/,
];

/** Thrown by handlers for content that is well-formed XML but not the expected report; gets file:line. */
export class XmlContentError extends Error {
  override name = 'XmlContentError';
}

export interface ParseXmlOptions {
  /** Name used in error messages: the path relative to the root. */
  displayPath: string;
  /** Accept the known DOCTYPEs of coverage tools (never for JUnit, which has none). */
  allowKnownDoctypes?: boolean;
  signal?: AbortSignal;
}

function chunksOf(input: XmlInput): AsyncIterable<string | Uint8Array> {
  if (typeof input === 'string') {
    // 64 KiB reads: large enough for throughput, small enough to keep memory flat.
    return createReadStream(input, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  }
  if ('setEncoding' in input && typeof input.setEncoding === 'function') input.setEncoding('utf8');
  return input;
}

/**
 * Streams XML through saxes (a strict, non-validating SAX parser) and calls the handlers. Memory
 * stays flat whatever the file size: nothing but the open-element stack is kept here. Throws an
 * InputError naming the file and line for malformed XML, a refused DOCTYPE, or a file that ends
 * before its elements are closed (a truncated report is never a partial pass).
 */
export async function parseXml(
  input: XmlInput,
  handlers: XmlHandlers,
  options: ParseXmlOptions,
): Promise<void> {
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  let sawRoot = false;
  const fail = (message: string, line = parser.line): never => {
    throw new InputError(message, { file: options.displayPath, line });
  };
  parser.on('error', (err) => {
    // saxes prefixes "line:col: "; we put the position in our own prefix.
    fail(`invalid XML: ${err.message.replace(/^\d+:\d+:\s*/, '')}`);
  });
  parser.on('doctype', (doctype) => {
    const allowed = options.allowKnownDoctypes && ALLOWED_DOCTYPES.some((re) => re.test(doctype));
    if (!allowed) {
      fail(
        'DOCTYPE declarations are refused (they enable entity expansion and external entities); ' +
          'expected a report without a DTD',
      );
    }
  });
  parser.on('opentag', (tag) => {
    sawRoot = true;
    stack.push(tag.name);
    try {
      handlers.open(tag as SaxesTagPlain, stack.length);
    } catch (e) {
      if (e instanceof XmlContentError) fail(e.message);
      throw e;
    }
  });
  parser.on('closetag', (tag) => {
    handlers.close(tag.name, stack.length);
    stack.pop();
  });
  if (handlers.text) {
    const onText = handlers.text;
    parser.on('text', onText);
    parser.on('cdata', onText);
  }
  let chars = 0;
  // A streaming decoder: a multi-byte character split across two chunks stays one character.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunksOf(input)) {
    if (options.signal?.aborted) fail('aborted');
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    chars += text.length;
    parser.write(text);
  }
  const rest = decoder.decode();
  if (rest) parser.write(rest);
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    fail(
      `truncated report: the file ends inside <${open}> (expected </${open}>` +
        (stack.length > 1 ? ` and ${stack.length - 1} more closing tag${stack.length > 2 ? 's' : ''}` : '') +
        ')',
    );
  }
  if (!sawRoot) fail(chars === 0 ? 'empty file (expected an XML report)' : 'no XML element found');
  parser.close();
}

/** Reads the start of a file (for format detection) without reading all of it. */
export async function readHead(path: string, bytes = 4096): Promise<string> {
  const stream = createReadStream(path, { start: 0, end: bytes - 1, encoding: 'utf8' });
  let head = '';
  for await (const chunk of stream) head += chunk as string;
  return head;
}
