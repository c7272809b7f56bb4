/**
 * `?pretty` output as Elasticsearch and OpenSearch write it (Jackson's pretty printer with line-feed
 * indenters): `"key" : value`, two spaces a level, `{ }` and `[ ]` when empty, a final newline.
 */
export function prettyJson(value: unknown): string {
  return render(value, '') + '\n';
}

function render(v: unknown, indent: string): string {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[ ]';
    return `[\n${v.map((x) => inner + render(x === undefined ? null : x, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{ }';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)} : ${render(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
