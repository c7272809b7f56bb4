/** One line of at most `max` characters: subjects are headings and e-mail headers, where CR/LF would split them. */
export function oneLine(text: string, max = 998): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
