/**
 * Where a value sits in a JSON text, as `line:col` (both from 1, like Jackson's token locations):
 * Elasticsearch prefixes document-parsing errors with the location of the offending value
 * (`[1:15] failed to parse field [n] …`), so the test cluster finds it in the text it was sent.
 */

const WS = new Set([' ', '\t', '\n', '\r']);

/**
 * The `line:col` of the value at `path` (object keys and array positions) in `raw`, or undefined when
 * the text has no such value. Only called once an error is found, so it scans instead of indexing.
 */
export function locate(raw: string, path: ReadonlyArray<string | number>): string | undefined {
  let i = 0;
  const ws = () => {
    while (i < raw.length && WS.has(raw[i]!)) i++;
  };
  const skipString = () => {
    i++;
    while (i < raw.length && raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
    i++;
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    try {
      return JSON.parse(raw.slice(start, i)) as string;
    } catch {
      return '';
    }
  };
  const skipValue = (): void => {
    ws();
    const c = raw[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (raw[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          readKey();
          ws();
          i++; // ':'
        }
        skipValue();
        ws();
        if (raw[i] !== ',') break;
        i++;
      }
      i++;
      return;
    }
    while (i < raw.length && !WS.has(raw[i]!) && raw[i] !== ',' && raw[i] !== '}' && raw[i] !== ']') i++;
  };
  const find = (depth: number): number | undefined => {
    ws();
    if (depth === path.length) return i;
    const want = path[depth];
    const c = raw[i];
    if (c !== '{' && c !== '[') return undefined;
    i++;
    for (let n = 0; i < raw.length; n++) {
      ws();
      if (raw[i] === '}' || raw[i] === ']') return undefined;
      let match = n === want;
      if (c === '{') {
        match = readKey() === want;
        ws();
        i++; // ':'
      }
      if (match) return find(depth + 1);
      skipValue();
      ws();
      if (raw[i] === ',') i++;
    }
    return undefined;
  };
  const at = find(0);
  if (at === undefined) return undefined;
  const before = raw.slice(0, at);
  const line = before.split('\n').length;
  return `${line}:${at - before.lastIndexOf('\n')}`;
}
