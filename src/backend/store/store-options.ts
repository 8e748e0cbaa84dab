/** What every store is configured with (whichever database), the defaults, and the default SQLite file. */
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './password-hash.js';

/** Where the gateway and `npm run store` keep the SQLite store unless told otherwise. */
export const DEFAULT_STORE_PATH = './data/mfa-store.sqlite';

/** The subset of a pino logger the store uses; it never logs a password or token. */
export interface StoreLogger {
  /** Unexpected faults, with their cause. */
  error(details: Record<string, unknown>, message: string): void;
  /** Calls refused because another connection held the lock past `lockWaitMs`: one line per 10 s at most. */
  warn?(details: Record<string, unknown>, message: string): void;
  /** A call that met another connection's lock and waits for it (`storeLock: 'waiting'`). */
  debug?(details: Record<string, unknown>, message: string): void;
}

/** Options every store takes; the database-specific ones are in `SqliteStoreOptions` and `PostgresStoreOptions`. */
export interface CommonStoreOptions {
  /** Lifetime of minted tokens. Defaults to 1800 (CSP's 30 minutes). */
  readonly tokenTtlSeconds?: number;
  /** Clock in epoch milliseconds, for token times and audit dates. Defaults to `Date.now`. */
  readonly now?: () => number;
  /** `iss` of minted tokens, and the only issuer accepted. Defaults to `urn:csp-mfa-graphql:store`. */
  readonly issuer?: string;
  /** Cost of new password hashes. Defaults to `DEFAULT_SCRYPT_PARAMS` (N=2^15, r=8, p=3). */
  readonly scryptParams?: ScryptParams;
  /** Wrong passwords tolerated per principal within the window before `RATE_LIMITED`; 0 turns the guard off. Defaults to 5. */
  readonly maxFailedAttempts?: number;
  /** Sliding window of the failed-attempt guard. Defaults to 900_000 (15 minutes). */
  readonly failedAttemptWindowMs?: number;
  /**
   * How long a successful password check is remembered (as a keyed HMAC, in memory only) so a repeat
   * of the same password skips scrypt. Defaults to 0 (off): turn it on for load tests, not for people.
   */
  readonly passwordCacheTtlMs?: number;
  /**
   * How long a call waits while another connection (a store command, a database shell, another
   * gateway) holds a lock it needs, before it answers `UPSTREAM_UNAVAILABLE` (opening: throws
   * `STORE_LOCKED`; an admin command: `STORE_LOCKED`). The process keeps serving meanwhile.
   * Defaults to 1000.
   */
  readonly lockWaitMs?: number;
  /** `modifiedBy` of audit events written by admin operations. Defaults to `store-admin`. */
  readonly adminActor?: string;
  /** Defaults to a logger that drops everything. */
  readonly logger?: StoreLogger;
}

/** `CommonStoreOptions` with every default applied and checked. */
export interface StoreSettings {
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
  readonly issuer: string;
  readonly scryptParams: ScryptParams;
  readonly maxFailedAttempts: number;
  readonly failedAttemptWindowMs: number;
  readonly passwordCacheTtlMs: number;
  readonly lockWaitMs: number;
  readonly adminActor: string;
  readonly logger: StoreLogger;
}

const noopLogger: StoreLogger = { error: () => undefined };

export const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** Applies the defaults once, and refuses (a programming error) durations and counts that are not whole. */
export function resolveStoreSettings(
  options: CommonStoreOptions,
  caller: string,
  moreCounts: readonly number[] = [],
): StoreSettings {
  const settings: StoreSettings = {
    tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
    now: options.now ?? Date.now,
    issuer: options.issuer ?? 'urn:csp-mfa-graphql:store',
    scryptParams: options.scryptParams ?? DEFAULT_SCRYPT_PARAMS,
    maxFailedAttempts: options.maxFailedAttempts ?? 5,
    failedAttemptWindowMs: options.failedAttemptWindowMs ?? 900_000,
    passwordCacheTtlMs: options.passwordCacheTtlMs ?? 0,
    lockWaitMs: options.lockWaitMs ?? 1000,
    adminActor: options.adminActor ?? 'store-admin',
    logger: options.logger ?? noopLogger,
  };
  const counts = [
    settings.maxFailedAttempts,
    settings.failedAttemptWindowMs,
    settings.passwordCacheTtlMs,
    settings.lockWaitMs,
    ...moreCounts,
  ];
  if (!isCount(settings.tokenTtlSeconds) || settings.tokenTtlSeconds === 0 || !counts.every(isCount)) {
    throw new RangeError(
      `${caller}: durations and counts must be whole numbers, the token lifetime positive`,
    );
  }
  return settings;
}

/**
 * A PostgreSQL store URL (`postgres://user[:password]@host[:port]/database[?options]`), or the one-line
 * reason it is not one. The reason never repeats the URL: it may carry a password.
 */
export function parseStoreUrl(raw: string, name = 'MFA_STORE_URL'): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${name} must be a postgres:// URL such as postgres://user@db.example:5432/mfa.`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `${name} must be a postgres:// or postgresql:// URL, got '${url.protocol}'.`;
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    return `${name} must name the database host, e.g. postgres://user@db.example:5432/mfa.`;
  }
  return url;
}

/** The URL as logs and messages may show it: no password, no query (which may hold one too). */
export function storeUrlLocation(url: URL): string {
  const user = url.username ? `${url.username}@` : '';
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}
