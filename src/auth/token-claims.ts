/**
 * Reads the claims of a CSP access token without verifying it (CSP, or the store, stays the authority)
 * and tells a user from a service account (client-credentials app).
 */
import { type ServiceAccountRule } from '../config.js';

export type { ServiceAccountRule };

export type PrincipalKind = 'user' | 'service-account' | 'unknown';

export interface TokenClaims {
  readonly sub?: string;
  readonly username?: string;
  readonly acct?: string;
  readonly domain?: string;
  readonly azp?: string;
  readonly cid?: string;
  readonly context_name?: string;
  readonly iss?: string;
  readonly exp?: number;
  readonly iat?: number;
}

export interface TokenIdentity {
  readonly kind: PrincipalKind;
  /** Null for opaque tokens or payloads that are not JSON objects. */
  readonly claims: TokenClaims | null;
}

/** Longer than any CSP token; anything longer is not read, decoded or forwarded. */
export const MAX_TOKEN_LENGTH = 16_384;

/** Decodes the middle part of a JWT; any token that does not look like one is opaque (null). */
export function decodeJwtClaims(token: string): TokenClaims | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
    return pickClaims(payload as Record<string, unknown>);
  } catch {
    return null;
  }
}

function pickClaims(raw: Record<string, unknown>): TokenClaims {
  const str = (key: string): string | undefined => {
    const v = raw[key];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const num = (key: string): number | undefined => {
    const v = raw[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  return {
    sub: str('sub'),
    username: str('username'),
    acct: str('acct'),
    domain: str('domain'),
    azp: str('azp'),
    cid: str('cid'),
    context_name: str('context_name'),
    iss: str('iss'),
    exp: num('exp'),
    iat: num('iat'),
  };
}

/** True when the claims mark a client-credentials app under the chosen rule. */
export function isServiceAccountClaims(claims: TokenClaims, rule: ServiceAccountRule): boolean {
  const hasClient = Boolean(claims.cid ?? claims.azp);
  if (claims.username || !hasClient) return false;
  return rule === 'vmware' || (!claims.acct && !claims.domain);
}

export function classifyToken(token: string, rule: ServiceAccountRule): TokenIdentity {
  const claims = decodeJwtClaims(token);
  if (!claims) return { kind: 'unknown', claims: null };
  return { kind: isServiceAccountClaims(claims, rule) ? 'service-account' : 'user', claims };
}
