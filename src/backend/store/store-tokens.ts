/**
 * Local access tokens for store mode: RS256 JWTs shaped like CSP's, signed with the store's key (a
 * file next to a SQLite store, a row in a PostgreSQL store: see `signing-key.ts`). The store is the
 * only authority for them, so it checks every one it is handed.
 */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';
import { canonicalToken } from '../../auth/canonical-token.js';

/** CSP's user tokens carry `<domain>:<uuid>` subjects; ours always use this domain. */
export const USER_DOMAIN = 'vmwareid';
/** The "login client" a CSP user token names in `azp`; ours is a fixed, recognisable value. */
export const STORE_LOGIN_CLIENT = 'csp-mfa-store-login';
const ALGORITHM = 'RS256';
// Verified tokens are remembered until they expire; bounded so a flood of distinct tokens cannot grow memory.
const VERIFIED_CACHE_SIZE = 10_000;

export type TokenPrincipal =
  | { readonly kind: 'user'; readonly id: string; readonly username: string }
  | { readonly kind: 'service-account'; readonly clientId: string };

/** Who a verified token speaks for: a user by id, or a service account by client id. */
export type TokenSubject =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'service-account'; readonly clientId: string };

export interface StoreTokensOptions {
  readonly key: SigningKey;
  readonly issuer: string;
  /** The org id put in `context_name`. */
  readonly orgId: string;
  readonly ttlSeconds: number;
  readonly now: () => number;
}

export interface StoreTokens {
  /** Signs a token for the principal; `ttlSeconds` overrides the store default. */
  mint(principal: TokenPrincipal, ttlSeconds?: number): Promise<string>;
  /** The subject of a token we signed that has not expired, else null. Never throws for bad input. */
  verify(token: string): Promise<TokenSubject | null>;
}

function parseSubject(sub: unknown): TokenSubject | null {
  if (typeof sub !== 'string') return null;
  if (sub.startsWith(`${USER_DOMAIN}:`)) {
    const id = sub.slice(USER_DOMAIN.length + 1);
    return id ? { kind: 'user', id } : null;
  }
  if (sub.startsWith(':')) {
    const clientId = sub.slice(1);
    return clientId ? { kind: 'service-account', clientId } : null;
  }
  return null;
}

export async function createStoreTokens(options: StoreTokensOptions): Promise<StoreTokens> {
  const { key, issuer, orgId, ttlSeconds, now } = options;
  const kid = await calculateJwkThumbprint(await exportJWK(key.publicKey));
  const verified = new Map<string, { subject: TokenSubject; expiresAtMs: number }>();

  async function mint(principal: TokenPrincipal, ttl = ttlSeconds): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const claims =
      principal.kind === 'user'
        ? {
            username: principal.username,
            acct: principal.username,
            domain: USER_DOMAIN,
            azp: STORE_LOGIN_CLIENT,
            context_name: orgId,
            perms: ['csp:org_member'],
          }
        : { azp: principal.clientId, cid: principal.clientId, context_name: orgId };
    const subject = principal.kind === 'user' ? `${USER_DOMAIN}:${principal.id}` : `:${principal.clientId}`;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid })
      .setSubject(subject)
      .setIssuer(issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  async function verify(token: string): Promise<TokenSubject | null> {
    // One entry per token however its signature is spelled: respellings can neither miss the cache nor flood it.
    const cacheKey = canonicalToken(token);
    const cached = verified.get(cacheKey);
    if (cached) {
      if (cached.expiresAtMs > now()) return cached.subject;
      verified.delete(cacheKey);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [ALGORITHM],
        issuer,
        currentDate: new Date(now()),
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      const subject = parseSubject(payload.sub);
      if (!subject || typeof payload.exp !== 'number') return null;
      if (verified.size >= VERIFIED_CACHE_SIZE) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(cacheKey, { subject, expiresAtMs: payload.exp * 1000 });
      return subject;
    } catch {
      // Bad signature, wrong key, expired, malformed: all the same answer, and no detail that could leak the token.
      return null;
    }
  }

  return { mint, verify };
}
