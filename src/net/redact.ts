/**
 * URLs are often credentials (a Slack webhook URL is one; query strings carry tokens; userinfo carries
 * passwords). Anything that logs or reports a URL passes it through here first: scheme, host, port and the
 * first path segment stay, the rest is masked.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    const path = first ? `/${first}${u.pathname.split('/').filter(Boolean).length > 1 ? '/***' : ''}` : '/';
    return `${u.protocol}//${u.host}${path}${u.search ? '?***' : ''}`;
  } catch {
    return '[invalid url]';
  }
}
