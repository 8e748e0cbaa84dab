/**
 * One spelling per token. A JWS signature is decoded to bytes before it is checked, so base64url
 * padding (`==`) or unused trailing bits make many texts of one valid token; the header and payload are
 * signed as written, so they cannot vary. Keys and caches built from the canonical text cannot be split
 * (or flooded) by respelling a token.
 */

const SEGMENT = /^[A-Za-z0-9_-]*={0,2}$/;

/** The token with its signature re-encoded canonically; anything that is not a three-part JWS as it was. */
export function canonicalToken(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) return token;
  const [header, payload, signature] = parts as [string, string, string];
  if (!SEGMENT.test(header) || !SEGMENT.test(payload) || !SEGMENT.test(signature)) return token;
  const canonical = Buffer.from(signature.replace(/=+$/, ''), 'base64url').toString('base64url');
  return canonical === signature ? token : `${header}.${payload}.${canonical}`;
}
