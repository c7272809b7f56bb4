/**
 * Where a watch file stops being JSON, said without quoting it. V8's own messages either give a
 * position or quote a piece of the text instead ("Unexpected token '}', ...\"checks\": [}..."), and a
 * watch may hold a credential (an HTTP check's password), so the quoted piece must not reach a log
 * line or an API answer. jsonc-parser locates the first error; JSON.parse stays the parser.
 */
import { printParseErrorCode, visit } from 'jsonc-parser';

/** `comma expected at line 2 column 14 (position 58)`, for a text JSON.parse refused with `e`. */
export function jsonSyntaxMessage(text: string, e: Error): string {
  let found: string | undefined;
  visit(
    text,
    {
      onError: (code, offset, _length, line, column) => {
        found ??= `${words(printParseErrorCode(code))} at line ${line + 1} column ${column + 1} (position ${offset})`;
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  // jsonc-parser is more lenient than JSON.parse in a few corners (control characters in strings):
  // then V8's message, without any piece of the text it quotes.
  return found ?? e.message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' is not valid JSON');
}

/** `CloseBraceExpected` → `close brace expected`. */
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
