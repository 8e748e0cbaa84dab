/**
 * Optional local verification of CSP access tokens (jose): RS256 signature against the configured key
 * set, expiry, and the issuer and audience when configured. The only module that imports jose for CSP tokens.
 */
import type * as Jose from 'jose';
import { type Logger } from '../logging/logger.js';

/** 'unavailable': the key set could not be fetched, so the token could be neither accepted nor refused. */
export type TokenVerdict = 'valid' | 'invalid' | 'unavailable';

export interface TokenVerifier {
  verify(token: string): Promise<TokenVerdict>;
}

export interface TokenVerifierOptions {
  readonly jwksUrl: URL;
  /** Required `iss`; any issuer when absent. */
  readonly issuer?: string;
  /** Accepted `aud` values, any one of them; `aud` is not checked when absent. */
  readonly audience?: readonly string[];
  /** Upper bound for one key-set fetch. Defaults to 5_000. */
  readonly timeoutMs?: number;
  /** After a fetch, no refetch (even for an unknown `kid`) for this long. Defaults to 30_000. */
  readonly cooldownMs?: number;
  /** After a failed fetch, no fetch at all for this long: calls needing one are 'unavailable' at once. Defaults to 10_000. */
  readonly failureCooldownMs?: number;
  /** Clock skew tolerated on `exp`/`nbf`, in seconds. Defaults to 30. */
  readonly clockToleranceSeconds?: number;
  /** Told once per failed fetch (not once per refused call). */
  readonly logger?: Logger;
}

/** jose error codes that say "this token is not acceptable"; any other failure is about the key set. */
const TOKEN_FAULTS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/** Thrown instead of fetching while a failed fetch is cooling down. */
class KeySetCoolingDown extends Error {
  constructor() {
    super('the key set fetch failed recently; not fetching again yet');
  }
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const failureCooldownMs = options.failureCooldownMs ?? 10_000;
  // Without this, a key set that is down costs every call a fresh fetch and up to timeoutMs of waiting:
  // jose remembers successes, not failures.
  let fetchBlockedUntil = 0;
  const guardedFetch: Jose.FetchImplementation = (url, init) =>
    Date.now() < fetchBlockedUntil ? Promise.reject(new KeySetCoolingDown()) : fetch(url, init);

  // jose is loaded on first use, so a gateway without CSP_JWKS_URL never carries it (about 9 MB of RSS).
  let loaded: Promise<{ jose: typeof Jose; keys: Jose.JWTVerifyGetKey }> | undefined;
  const load = () =>
    (loaded ??= import('jose').then((jose) => ({
      jose,
      // The key set is cached; a token with an unknown `kid` triggers a refetch, at most once per
      // cooldown, so a stream of forged `kid`s cannot turn into a stream of fetches.
      keys: jose.createRemoteJWKSet(options.jwksUrl, {
        timeoutDuration: options.timeoutMs ?? 5_000,
        cooldownDuration: options.cooldownMs ?? 30_000,
        cacheMaxAge: 600_000,
        [jose.customFetch]: guardedFetch,
      }),
    })));
  return {
    async verify(token) {
      const { jose, keys } = await load();
      try {
        await jose.jwtVerify(token, keys, {
          algorithms: ['RS256'],
          requiredClaims: ['exp'],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          ...(options.issuer ? { issuer: options.issuer } : {}),
          ...(options.audience ? { audience: [...options.audience] } : {}),
        });
        return 'valid';
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && TOKEN_FAULTS.has(code)) return 'invalid';
        // Calls that shared the failed fetch all land here: the first one starts the cool-down and warns.
        if (!(error instanceof KeySetCoolingDown) && Date.now() >= fetchBlockedUntil) {
          fetchBlockedUntil = Date.now() + failureCooldownMs;
          options.logger?.warn(
            { err: error, retryInMs: failureCooldownMs },
            'token verification: the JWKS could not be fetched; calls that need it are refused until the next try',
          );
        }
        return 'unavailable';
      }
    },
  };
}
