/**
 * Plain text → Atlassian Document Format (Jira REST API v3 requires ADF for descriptions and comments).
 * Blank lines separate paragraphs, single newlines become hard breaks. ADF forbids empty text nodes,
 * so empty lines and an empty text produce none.
 */
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: Array<{ type: 'paragraph'; content: Array<{ type: 'text'; text: string } | { type: 'hardBreak' }> }>;
}

export function textToAdf(text: string): AdfDoc {
  const paragraphs = text.replace(/\r\n?/g, '\n').split(/\n{2,}/).filter((p) => p.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((p) => {
      const content: AdfDoc['content'][number]['content'] = [];
      p.split('\n').forEach((line, i) => {
        if (i > 0) content.push({ type: 'hardBreak' });
        if (line !== '') content.push({ type: 'text', text: line });
      });
      return { type: 'paragraph' as const, content };
    }),
  };
}
