/**
 * Shape checks for what Microsoft Teams renders: Adaptive Cards (schema 1.0–1.5, the versions Teams
 * supports) and legacy connector MessageCards. Enough to catch a malformed card: the card's type and
 * version, every body element's `type` and required properties, actions, facts, columns; each problem
 * with the JSON path of the field. Unknown properties are allowed (renderers ignore them).
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems of an Adaptive Card at `path`, or `[]`. */
export function adaptiveCardProblems(card: unknown, path: string, nested = false): string[] {
  const out: string[] = [];
  if (!isObj(card)) return [`${path}: an Adaptive Card must be an object`];
  if (card.type !== 'AdaptiveCard') out.push(`${path}.type: must be "AdaptiveCard"`);
  if (!nested || card.version !== undefined) {
    if (typeof card.version !== 'string' || !/^1\.[0-5]$/.test(card.version)) out.push(`${path}.version: must be "1.0" to "1.5" (the Adaptive Card versions Teams renders)`);
  }
  if (card.$schema !== undefined && typeof card.$schema !== 'string') out.push(`${path}.$schema: must be a string`);
  if (card.body !== undefined) elements(card.body, `${path}.body`, out);
  if (card.actions !== undefined) actions(card.actions, `${path}.actions`, out);
  if (card.msteams !== undefined && !isObj(card.msteams)) out.push(`${path}.msteams: must be an object`);
  return out;
}

const INPUTS = new Set(['Input.Text', 'Input.Number', 'Input.Date', 'Input.Time', 'Input.Toggle', 'Input.ChoiceSet']);

function elements(v: unknown, path: string, out: string[]): void {
  if (!Array.isArray(v)) return void out.push(`${path}: must be an array of elements`);
  v.forEach((e, i) => element(e, `${path}[${i}]`, out));
}

function str(o: Json, key: string, path: string, out: string[], required = true): void {
  if (o[key] === undefined ? required : typeof o[key] !== 'string') out.push(`${path}.${key}: ${required ? 'required ' : ''}string`);
}

function element(e: unknown, path: string, out: string[]): void {
  if (!isObj(e)) return void out.push(`${path}: an element must be an object`);
  switch (e.type) {
    case 'TextBlock':
      return str(e, 'text', path, out);
    case 'RichTextBlock':
      if (!Array.isArray(e.inlines)) return void out.push(`${path}.inlines: required array`);
      e.inlines.forEach((x, i) => {
        if (typeof x !== 'string' && !(isObj(x) && x.type === 'TextRun' && typeof x.text === 'string')) out.push(`${path}.inlines[${i}]: a string or a TextRun with text`);
      });
      return;
    case 'Image':
      return str(e, 'url', path, out);
    case 'Media':
      if (!Array.isArray(e.sources) || e.sources.length === 0) out.push(`${path}.sources: required non-empty array`);
      return;
    case 'Container':
      return elements(e.items, `${path}.items`, out);
    case 'ColumnSet':
      if (e.columns === undefined) return;
      if (!Array.isArray(e.columns)) return void out.push(`${path}.columns: must be an array`);
      e.columns.forEach((c, i) => {
        const cp = `${path}.columns[${i}]`;
        if (!isObj(c)) return void out.push(`${cp}: a column must be an object`);
        if (c.type !== undefined && c.type !== 'Column') out.push(`${cp}.type: must be "Column"`);
        if (c.items !== undefined) elements(c.items, `${cp}.items`, out);
      });
      return;
    case 'FactSet':
      if (!Array.isArray(e.facts)) return void out.push(`${path}.facts: required array`);
      e.facts.forEach((f, i) => {
        if (!isObj(f) || typeof f.title !== 'string' || typeof f.value !== 'string') out.push(`${path}.facts[${i}]: needs string title and value`);
      });
      return;
    case 'ImageSet':
      if (!Array.isArray(e.images)) return void out.push(`${path}.images: required array`);
      e.images.forEach((im, i) => element(isObj(im) ? { type: 'Image', ...im } : im, `${path}.images[${i}]`, out));
      return;
    case 'ActionSet':
      return actions(e.actions, `${path}.actions`, out);
    case 'Table':
      if (e.rows === undefined) return;
      if (!Array.isArray(e.rows)) return void out.push(`${path}.rows: must be an array`);
      e.rows.forEach((row, i) => {
        if (!isObj(row) || !Array.isArray(row.cells)) return void out.push(`${path}.rows[${i}].cells: required array`);
        row.cells.forEach((cell, j) => {
          if (!isObj(cell)) return void out.push(`${path}.rows[${i}].cells[${j}]: a cell must be an object`);
          if (cell.items !== undefined) elements(cell.items, `${path}.rows[${i}].cells[${j}].items`, out);
        });
      });
      return;
    default:
      if (typeof e.type === 'string' && INPUTS.has(e.type)) {
        str(e, 'id', path, out);
        if (e.type === 'Input.ChoiceSet' && !Array.isArray(e.choices)) out.push(`${path}.choices: required array`);
        if (e.type === 'Input.Toggle') str(e, 'title', path, out);
        return;
      }
      out.push(`${path}.type: unknown element type ${JSON.stringify(e.type)}`);
  }
}

function actions(v: unknown, path: string, out: string[]): void {
  if (!Array.isArray(v)) return void out.push(`${path}: must be an array of actions`);
  v.forEach((a, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(a)) return void out.push(`${p}: an action must be an object`);
    if (a.title !== undefined && typeof a.title !== 'string') out.push(`${p}.title: must be a string`);
    switch (a.type) {
      case 'Action.OpenUrl':
        return str(a, 'url', p, out);
      case 'Action.ShowCard':
        out.push(...adaptiveCardProblems(a.card, `${p}.card`, true));
        return;
      case 'Action.ToggleVisibility':
        if (!Array.isArray(a.targetElements)) out.push(`${p}.targetElements: required array`);
        return;
      case 'Action.Submit':
      case 'Action.Execute':
        return;
      default:
        out.push(`${p}.type: unknown action type ${JSON.stringify(a.type)}`);
    }
  });
}

/** Problems of a connector MessageCard, besides the `summary`/`text` requirement the connector reports itself. */
export function messageCardProblems(card: Json): string[] {
  const out: string[] = [];
  if (card['@type'] !== undefined && card['@type'] !== 'MessageCard') out.push('@type: must be "MessageCard"');
  if (card['@context'] !== undefined && !/^https?:\/\/schema\.org\/extensions$/.test(String(card['@context']))) out.push('@context: must be "https://schema.org/extensions"');
  for (const k of ['summary', 'text', 'title'] as const) if (card[k] !== undefined && typeof card[k] !== 'string') out.push(`${k}: must be a string`);
  if (card.themeColor !== undefined && !(typeof card.themeColor === 'string' && /^#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$/.test(card.themeColor))) out.push('themeColor: must be a hex colour');
  if (card.sections !== undefined) {
    if (!Array.isArray(card.sections)) out.push('sections: must be an array');
    else
      card.sections.forEach((s, i) => {
        if (!isObj(s)) return void out.push(`sections[${i}]: must be an object`);
        for (const k of ['activityTitle', 'activitySubtitle', 'activityText', 'activityImage', 'title', 'text']) {
          if (s[k] !== undefined && typeof s[k] !== 'string') out.push(`sections[${i}].${k}: must be a string`);
        }
        if (s.facts !== undefined) {
          if (!Array.isArray(s.facts)) out.push(`sections[${i}].facts: must be an array`);
          else s.facts.forEach((f, j) => (!isObj(f) || typeof f.name !== 'string' || typeof f.value !== 'string') && out.push(`sections[${i}].facts[${j}]: needs string name and value`));
        }
      });
  }
  if (card.potentialAction !== undefined) {
    if (!Array.isArray(card.potentialAction)) out.push('potentialAction: must be an array');
    else
      card.potentialAction.forEach((a, i) => {
        if (!isObj(a) || !['OpenUri', 'HttpPOST', 'ActionCard', 'InvokeAddInCommand'].includes(String(a['@type']))) return void out.push(`potentialAction[${i}].@type: unknown action type`);
        if (typeof a.name !== 'string') out.push(`potentialAction[${i}].name: required string`);
        if (a['@type'] === 'OpenUri' && (!Array.isArray(a.targets) || !a.targets.every((t) => isObj(t) && typeof t.uri === 'string'))) {
          out.push(`potentialAction[${i}].targets: required array of {os, uri}`);
        }
      });
  }
  return out;
}

/** Problems of a Teams message envelope carrying Adaptive Card attachments. */
export function envelopeProblems(payload: Json): string[] {
  const out: string[] = [];
  if (payload.type !== 'message') out.push('type: must be "message"');
  if (!Array.isArray(payload.attachments) || payload.attachments.length === 0) return [...out, 'attachments: required non-empty array'];
  payload.attachments.forEach((a, i) => {
    const p = `attachments[${i}]`;
    if (!isObj(a)) return void out.push(`${p}: must be an object`);
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive') out.push(`${p}.contentType: must be "application/vnd.microsoft.card.adaptive"`);
    if (a.contentUrl !== undefined && a.contentUrl !== null && typeof a.contentUrl !== 'string') out.push(`${p}.contentUrl: must be null or a string`);
    out.push(...adaptiveCardProblems(a.content, `${p}.content`));
  });
  return out;
}
