import { describe, expect, it } from 'vitest';
import { jsonSyntaxProblem } from '../src/json-syntax.ts';

const messageFor = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonSyntaxProblem(text, e as Error);
  }
  throw new Error('expected invalid JSON');
};

describe('jsonSyntaxProblem', () => {
  it('says what is wrong and where (line, column, position), for the errors V8 reports without a position too', () => {
    expect(messageFor('{"checks": [}')).toBe('invalid JSON: value expected at line 1 column 13 (position 12)');
    expect(messageFor('{\n  "a": 1,\n}')).toBe('invalid JSON: property name expected at line 3 column 1 (position 12)');
    expect(messageFor('{"a": NaN}')).toBe('invalid JSON: invalid symbol at line 1 column 7 (position 6)');
    expect(messageFor('{"a": "open')).toBe('invalid JSON: unexpected end of string at line 1 column 7 (position 6)');
    expect(messageFor('')).toBe('invalid JSON: value expected at line 1 column 1 (position 0)');
  });

  it('never quotes the text, which may hold a credential', () => {
    const text = '{"checks": [{"type": "http", "request": {"auth": {"type": "basic", "username": "u", "password": "hunter2-s3cret"}}} oops]}';
    const m = messageFor(text);
    expect(m).toMatch(/at line 1 column \d+ \(position \d+\)$/);
    expect(m).not.toContain('hunter2');
    // V8's quoting message, when the locator finds nothing, loses its quoted piece.
    expect(jsonSyntaxProblem('{}', new SyntaxError('Unexpected token \'x\', ..."password": "hunter2-s3cret"... is not valid JSON'))).toBe('invalid JSON: syntax error');
    expect(jsonSyntaxProblem('{}', new SyntaxError('Unexpected token \'x\', "hunter2" is not valid JSON at position 3 (line 1 column 4)'))).toBe('invalid JSON: syntax error at position 3 (line 1 column 4)');
  });
});
