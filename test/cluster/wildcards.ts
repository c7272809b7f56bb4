/** Simple `*` wildcards, as index expressions, templates and `_source` filters use them. */

const cache = new Map<string, RegExp>();

export function wildcardRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}
