/** Where the caller's token comes from: `csp-auth-token`, else `Authorization: Bearer <token>`. */

export interface HeaderSource {
  get(name: string): string | undefined;
}

const MAX_TOKEN_LENGTH = 16_384;
/** Visible ASCII only: anything else cannot be a CSP token and must never be forwarded as a header. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;
const BEARER = /^bearer\s+(\S+)\s*$/i;

/** Returns the token, or null when there is none or it cannot be a token (then no upstream call happens). */
export function extractToken(headers: HeaderSource): string | null {
  const direct = headers.get('csp-auth-token')?.trim();
  const token = direct ? direct : BEARER.exec(headers.get('authorization') ?? '')?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return null;
  return token;
}
