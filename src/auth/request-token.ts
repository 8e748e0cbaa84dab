/**
 * Where the caller's token comes from: `csp-auth-token`, and `Authorization: Bearer <token>` only when the
 * operator opts in. A router that propagates its own identity provider's bearer token to every subgraph
 * would otherwise have that token forwarded to CSP, a third party that has no business seeing it.
 */
import { MAX_TOKEN_LENGTH } from './token-claims.js';

export interface HeaderSource {
  get(name: string): string | undefined;
}

export interface TokenSourceOptions {
  /** Read `Authorization: Bearer` when `csp-auth-token` is absent. Defaults to false. */
  readonly acceptBearer?: boolean;
}

/** Visible ASCII only: anything else cannot be a CSP token and must never be forwarded as a header. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;
const BEARER = /^bearer\s+(\S+)\s*$/i;

/** Returns the token, or null when there is none or it cannot be a token (then no upstream call happens). */
export function extractToken(headers: HeaderSource, options: TokenSourceOptions = {}): string | null {
  const acceptBearer = options.acceptBearer ?? false;
  const direct = headers.get('csp-auth-token')?.trim();
  const token = direct
    ? direct
    : acceptBearer
      ? BEARER.exec(headers.get('authorization') ?? '')?.[1]
      : undefined;
  if (!token || token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return null;
  return token;
}
