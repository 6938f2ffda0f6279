import { type ParseError, printParseErrorCode, visit } from 'jsonc-parser';
import { InputError } from './errors.js';

/** Line and column (1-based) of a character offset. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** jsonc-parser's error codes in words a person reads. */
const PLAIN: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected content after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** Where strict JSON parsing fails: V8's messages often give no position, jsonc-parser's scanner does. */
function locateSyntaxError(text: string): { offset: number; reason: string } {
  let first: ParseError | undefined;
  visit(
    text,
    {
      onError: (error, offset, length) => {
        first ??= { error, offset, length };
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  if (!first) return { offset: text.length, reason: 'unexpected end of input' };
  const code = printParseErrorCode(first.error);
  return { offset: first.offset, reason: PLAIN[code] ?? code };
}

/**
 * JSON.parse with an error a person can act on: `file:line:col: invalid JSON: <what>`. Used for
 * every JSON input (reports, SARIF, lockfiles) so a truncated file never becomes a stack trace.
 */
export function parseJson(text: string, file: string, what = 'JSON'): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch {
    if (body.trim() === '') throw new InputError(`invalid ${what}: the file is empty`, { file });
    const { offset, reason } = locateSyntaxError(body);
    const { line, column } = lineColumnOf(body, offset);
    const truncated = offset >= body.trimEnd().length ? ' (is the file truncated?)' : '';
    throw new InputError(`invalid ${what}: ${reason}${truncated}`, { file, line, column });
  }
}
