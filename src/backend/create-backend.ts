/**
 * The backend stack, assembled in one place and read top to bottom: the base backend the configuration
 * picks (CSP when CSP_BASE_URL is set, otherwise a store: the PostgreSQL database MFA_STORE_URL, else
 * the SQLite file MFA_STORE_PATH), then the guards around it.
 */
import { createTokenVerifier } from '../auth/token-verifier.js';
import { type Config, type SecurityConfig } from '../config.js';
import { type Logger } from '../logging/logger.js';
import { type GuardObserver } from '../observability/guard-observer.js';
import { type UpstreamObserver } from '../observability/upstream-observer.js';
import { createCspMfaClient } from './csp/csp-mfa.client.js';
import { createAttemptLimiter } from './guards/attempt-limiter.js';
import { createBruteForceGuard } from './guards/brute-force.guard.js';
import { createSecretScrubbingGuard } from './guards/secret-scrubbing.guard.js';
import { createTokenVerificationGuard } from './guards/token-verification.guard.js';
import { type MfaBackend } from './mfa-backend.js';

export type CreatedBackend =
  | {
      readonly ok: true;
      readonly backend: MfaBackend;
      /** Text to print once the server listens (the store's demo credentials on first start). */
      readonly banner?: (baseUrl: string) => string;
    }
  | { readonly ok: false; readonly message: string };

/** Who is told about upstream calls and guard refusals (metrics, tracing); each defaults to nobody. */
export interface BackendObservers {
  readonly upstream?: UpstreamObserver;
  readonly guard?: GuardObserver;
}

/** The configured backend inside its guards: what the server calls. */
export async function createBackend(
  config: Config,
  logger: Logger,
  observers: BackendObservers = {},
): Promise<CreatedBackend> {
  const created = await openBaseBackend(config, logger, observers.upstream);
  return created.ok
    ? { ...created, backend: guardBackend(created.backend, config.security, logger, observers.guard) }
    : created;
}

/**
 * The guards, outermost first: local token verification (optional; once per request) → brute-force
 * guard → secret scrubbing → the backend. Each states only what it changes (guards/decorate.ts).
 */
export function guardBackend(
  backend: MfaBackend,
  security: SecurityConfig,
  logger: Logger,
  observer?: GuardObserver,
): MfaBackend {
  const scrubbed = createSecretScrubbingGuard(backend);
  const limiter = createAttemptLimiter({ ...security.bruteForce, logger });
  const guarded = createBruteForceGuard(scrubbed, limiter, logger, {
    maxAttempts: security.bruteForce.maxAttempts,
    // Verification runs before the brute-force guard, so with it on, a token's `sub` is the caller's own.
    identityVerified: security.tokenVerification !== undefined,
    ...(observer ? { observer } : {}),
  });
  if (!security.tokenVerification) return guarded;
  const verifier = createTokenVerifier({ ...security.tokenVerification, logger });
  return createTokenVerificationGuard(guarded, verifier, logger);
}

async function openBaseBackend(
  config: Config,
  logger: Logger,
  observer: UpstreamObserver | undefined,
): Promise<CreatedBackend> {
  if (config.backend.kind === 'csp') {
    const { baseUrl, timeoutMs } = config.backend;
    return {
      ok: true,
      backend: createCspMfaClient({ baseUrl, timeoutMs, logger, ...(observer ? { observer } : {}) }),
    };
  }
  // Loaded only in store mode: a CSP deployment loads no database driver, a store only its own.
  const { openStore } = await import('./store/open-store.js');
  const { seedDemoIfEmpty } = await import('./store/demo-seed.js');
  const { isStoreError } = await import('./store/store-errors.js');
  const target =
    config.backend.engine === 'postgres' ? { url: config.backend.url } : { path: config.backend.path };
  try {
    const store = await openStore(target, { logger });
    // A shared database is an operator's: no demo user with a password printed at start.
    const demo = store.engine === 'sqlite' ? await seedDemoIfEmpty(store) : null;
    logger.info(
      { engine: store.engine, path: store.location, schemaVersion: store.schemaVersion },
      'embedded store open',
    );
    return {
      ok: true,
      backend: store,
      ...(demo ? { banner: (baseUrl: string) => demoBanner(baseUrl, store.location, demo) } : {}),
    };
  } catch (error) {
    // Seeding an empty store is an admin step too: a lock held by another process then is a StoreError.
    if (isStoreError(error)) {
      return { ok: false, message: `Cannot open the embedded store (${error.code}): ${error.message}` };
    }
    throw error;
  }
}

/** Printed once, on the first start with an empty store: everything needed to try the API. */
function demoBanner(
  baseUrl: string,
  path: string,
  demo: { username: string; password: string; token: string },
) {
  return [
    '',
    'Embedded store created with a demo user (shown once; the store keeps only a hash of the password):',
    `  store:     ${path}`,
    `  username:  ${demo.username}`,
    `  password:  ${demo.password}`,
    `  token:     ${demo.token}`,
    `  Sandbox:   ${baseUrl}/graphql  (put the token in the csp-auth-token header, the password in the variables)`,
    '  The token expires in 30 minutes; mint another with: npm run store -- token ' + demo.username,
    '',
  ].join('\n');
}
