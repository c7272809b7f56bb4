/**
 * Where a JSON text (a watch, a config file) stops being JSON, said without quoting it. V8's own messages either give a
 * position or quote a piece of the text instead ("Unexpected token '}', ...\"checks\": [}..."), and a
 * watch may hold a credential (an HTTP check's password), so the quoted piece must not reach a log
 * line or an API answer. jsonc-parser locates the first error; JSON.parse stays the parser.
 */
import { printParseErrorCode, visit } from 'jsonc-parser';

/** `invalid JSON: comma expected at line 2 column 14 (position 58)`, for a text JSON.parse refused with `e`. */
export function jsonSyntaxProblem(text: string, e: Error): string {
  return `invalid JSON: ${locate(text, e)}`;
}

function locate(text: string, e: Error): string {
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
  // then only the position V8 gives, if any — its messages may quote the text around the error.
  return found ?? `syntax error${/ at position \d+(?: \(line \d+ column \d+\))?/.exec(e.message)?.[0] ?? ''}`;
}

/** `CloseBraceExpected` → `close brace expected`. */
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
