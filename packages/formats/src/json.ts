import { InputError } from '@devsecflow/core';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

const WHAT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected content after the end of the document',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/**
 * JSON.parse that fails with an InputError naming the file, line and column. JSON.parse is the fast
 * path; only on failure does jsonc-parser (strict mode: no comments, no trailing commas) locate the
 * first error, since V8's messages do not always give a position. The message never quotes the input,
 * which may hold secrets.
 */
export function parseJson(text: string, file: string): unknown {
  // A UTF-8 BOM is common in files written on Windows and is not JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const errors: ParseError[] = [];
    parse(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    const offset = first ? first.offset : body.length;
    const what = first
      ? (WHAT[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error))
      : 'not valid JSON';
    throw new InputError(
      `invalid JSON: ${what} (expected a JSON document)`,
      { file, ...lineColumnAt(body, offset) },
      { cause: e },
    );
  }
}
