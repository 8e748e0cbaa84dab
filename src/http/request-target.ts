/** Where a request goes: the path and query of its target, read without surprises. */

/**
 * The path and query of a request target. The usual origin-form ('/graphql?…') is split by hand;
 * anything else (absolute-form, odd targets) goes through the URL parser, and null means no URL at all.
 */
export function parseTarget(target: string): { pathname: string; search: string } | null {
  if (target.startsWith('/') && !target.startsWith('//')) {
    const q = target.indexOf('?');
    return q === -1
      ? { pathname: target, search: '' }
      : { pathname: target.slice(0, q), search: target.slice(q) };
  }
  if (!URL.canParse(target, 'http://localhost')) return null;
  const { pathname, search } = new URL(target, 'http://localhost');
  return { pathname, search };
}
