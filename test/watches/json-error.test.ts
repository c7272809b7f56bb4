import { describe, expect, it } from 'vitest';
import { jsonSyntaxMessage } from '../../src/watches/json-error.ts';

const messageFor = (text: string) => {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonSyntaxMessage(text, e as Error);
  }
  throw new Error('expected invalid JSON');
};

describe('jsonSyntaxMessage', () => {
  it('says what is wrong and where (line, column, position), for the errors V8 reports without a position too', () => {
    expect(messageFor('{"checks": [}')).toBe('value expected at line 1 column 13 (position 12)');
    expect(messageFor('{\n  "a": 1,\n}')).toBe('property name expected at line 3 column 1 (position 12)');
    expect(messageFor('{"a": NaN}')).toBe('invalid symbol at line 1 column 7 (position 6)');
    expect(messageFor('{"a": "open')).toBe('unexpected end of string at line 1 column 7 (position 6)');
    expect(messageFor('')).toBe('value expected at line 1 column 1 (position 0)');
  });

  it('never quotes the text, which may hold a credential', () => {
    const text = '{"checks": [{"type": "http", "request": {"auth": {"type": "basic", "username": "u", "password": "hunter2-s3cret"}}} oops]}';
    const m = messageFor(text);
    expect(m).toMatch(/at line 1 column \d+ \(position \d+\)$/);
    expect(m).not.toContain('hunter2');
    // V8's quoting message, when the locator finds nothing, loses its quoted piece.
    expect(jsonSyntaxMessage('{}', new SyntaxError('Unexpected token \'x\', ..."password": "hunter2-s3cret"... is not valid JSON'))).toBe("Unexpected token 'x' is not valid JSON");
  });
});
