/**
 * Every relative link of docs/ and of the README leads to a file of the repository, and every
 * `#anchor` to a heading of its page. Pages written alongside these (channels, notifications API,
 * proxies and truststores, operations, metrics, troubleshooting) may not exist yet in every checkout:
 * links to them are let through when absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS, markdownFiles } from './markdown-examples.ts';

const ROOT = join(DOCS, '..');
const ELSEWHERE = new Set(['docs/notifications-api.md', 'docs/proxies-and-truststores.md', 'docs/operations.md', 'docs/metrics.md', 'docs/troubleshooting.md', 'docs/channels']);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('links of the docs', () => {
  it('lead to files and headings that exist', () => {
    const broken: string[] = [];
    let count = 0;
    for (const file of [...markdownFiles(), join(ROOT, 'README.md')]) {
      const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        count++;
        const [path, hash] = target!.split('#');
        const dest = path ? join(dirname(file), path) : file;
        const rel = relative(ROOT, dest).replace(/\/$/, '');
        if (!existsSync(dest)) {
          if (!ELSEWHERE.has(rel)) broken.push(`${relative(ROOT, file)}: ${target}`);
          continue;
        }
        if (hash && dest.endsWith('.md') && !anchors(dest).has(hash)) broken.push(`${relative(ROOT, file)}: ${target} (no such heading)`);
      }
    }
    expect(count).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});
