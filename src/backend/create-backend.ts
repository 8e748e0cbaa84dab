/**
 * The backend stack, assembled in one place and read top to bottom: the base backend (one handed to
 * createGateway; else CSP when CSP_BASE_URL is set, a module's with MFA_BACKEND_MODULE, otherwise a
 * store: the PostgreSQL database MFA_STORE_URL, else the SQLite file MFA_STORE_PATH), a check that it
 * is ready, then the guards around it.
 */
import { createTokenVerifier } from '../auth/token-verifier.js';
import { type Config, type SecurityConfig } from '../config.js';
import { GatewayStartError, quoteError } from '../gateway-start-error.js';
import { type Logger } from '../logging/logger.js';
import { type GuardObserver } from '../observability/guard-observer.js';
import { type UpstreamObserver } from '../observability/upstream-observer.js';
import { backendProblems, loadBackendModule } from './backend-module.js';
import { createCspMfaClient } from './csp/csp-mfa.client.js';
import { createAttemptLimiter } from './guards/attempt-limiter.js';
import { createBruteForceGuard } from './guards/brute-force.guard.js';
import { createSecretScrubbingGuard } from './guards/secret-scrubbing.guard.js';
import { createTokenVerificationGuard } from './guards/token-verification.guard.js';
import { type MfaBackend } from './mfa-backend.js';

export interface CreatedBackend {
  readonly backend: MfaBackend;
  /** Text to print once the server listens (the store's demo credentials on first start). */
  readonly banner?: (baseUrl: string) => string;
}

/** Who is told about upstream calls and guard refusals (metrics, tracing); each defaults to nobody. */
export interface BackendObservers {
  readonly upstream?: UpstreamObserver;
  readonly guard?: GuardObserver;
}

export interface BackendStackOptions extends BackendObservers {
  /** A backend object from createGateway's caller; config.backend is then `supplied`. */
  readonly supplied?: MfaBackend;
  /** This process is one of WORKERS: the brute-force counts are the primary's (or Redis's), not its own. */
  readonly clusterWorker?: boolean;
}

/** How long a backend may take to say whether it is ready before the start gives up on it. */
const READY_TIMEOUT_MS = 10_000;

/** The configured backend inside its guards: what the server calls. Throws GatewayStartError. */
export async function createBackend(
  config: Config,
  logger: Logger,
  options: BackendStackOptions = {},
): Promise<CreatedBackend> {
  const created = await openBaseBackend(config, logger, options.supplied, options.upstream);
  await checkReady(created.backend, sourceOf(config));
  const guarded = guardBackend(created.backend, config.security, logger, {
    clusterWorker: options.clusterWorker ?? false,
    ...(options.guard ? { observer: options.guard } : {}),
  });
  return { ...created, backend: guarded };
}

/**
 * The guards, outermost first: local token verification (optional; once per request) → brute-force
 * guard → secret scrubbing → the backend. Each states only what it changes (guards/decorate.ts).
 */
export function guardBackend(
  backend: MfaBackend,
  security: SecurityConfig,
  logger: Logger,
  options: { readonly clusterWorker?: boolean; readonly observer?: GuardObserver } = {},
): MfaBackend {
  const scrubbed = createSecretScrubbingGuard(backend);
  const limiter = createAttemptLimiter({
    ...security.bruteForce,
    logger,
    cluster: options.clusterWorker ?? false,
  });
  const guarded = createBruteForceGuard(scrubbed, limiter, logger, {
    maxAttempts: security.bruteForce.maxAttempts,
    // Verification runs before the brute-force guard, so with it on, a token's `sub` is the caller's own.
    identityVerified: security.tokenVerification !== undefined,
    ...(options.observer ? { observer: options.observer } : {}),
  });
  if (!security.tokenVerification) return guarded;
  const verifier = createTokenVerifier({ ...security.tokenVerification, logger });
  return createTokenVerificationGuard(guarded, verifier, logger);
}

/** Where the backend came from, as the start's error line names it. */
function sourceOf(config: Config): string {
  switch (config.backend.kind) {
    case 'module':
      return `MFA_BACKEND_MODULE '${config.backend.specifier}'`;
    case 'supplied':
      return 'The backend given to createGateway';
    case 'csp':
      return 'CSP_BASE_URL';
    case 'store':
      return 'The embedded store';
  }
}

/** A backend that cannot take requests at start is closed and the start stops: nothing would be served. */
async function checkReady(backend: MfaBackend, source: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), READY_TIMEOUT_MS);
  });
  let verdict: boolean | 'late' | Error;
  try {
    verdict = await Promise.race([backend.isReady(), late]);
  } catch (error) {
    verdict = new Error(quoteError(error));
  } finally {
    clearTimeout(timer);
  }
  if (verdict === true) return;
  await backend.close().catch(() => undefined);
  const why =
    verdict === 'late'
      ? `isReady() did not answer within ${READY_TIMEOUT_MS / 1000} s`
      : verdict instanceof Error
        ? `isReady() failed: ${verdict.message}`
        : 'isReady() answered false';
  throw new GatewayStartError(
    'BACKEND_NOT_READY',
    `${source}: the ${backend.kind} backend is not ready: ${why}.`,
  );
}

async function openBaseBackend(
  config: Config,
  logger: Logger,
  supplied: MfaBackend | undefined,
  observer: UpstreamObserver | undefined,
): Promise<CreatedBackend> {
  const { backend } = config;
  if (backend.kind === 'supplied' || supplied) {
    const problems = supplied ? backendProblems(supplied) : ['none was given'];
    if (problems.length > 0 || backend.kind !== 'supplied' || !supplied) {
      throw new GatewayStartError(
        'BACKEND_INVALID',
        `The backend given to createGateway is no MfaBackend: ${problems.join('; ') || 'the settings pick another'}.`,
      );
    }
    return { backend: supplied };
  }
  if (backend.kind === 'csp') {
    const { baseUrl, timeoutMs } = backend;
    return {
      backend: createCspMfaClient({ baseUrl, timeoutMs, logger, ...(observer ? { observer } : {}) }),
    };
  }
  if (backend.kind === 'module') {
    const loaded = await loadBackendModule(backend.specifier, {
      logger: logger.child({ backend: 'module' }),
      callTimeoutMs: backend.timeoutMs,
      production: config.production,
    });
    return { backend: loaded };
  }
  // Loaded only in store mode: a CSP deployment loads no database driver, a store only its own.
  const { openStore } = await import('./store/open-store.js');
  const { seedDemoIfEmpty } = await import('./store/demo-seed.js');
  const { isStoreError } = await import('./store/store-errors.js');
  const target = backend.engine === 'postgres' ? { url: backend.url } : { path: backend.path };
  try {
    const store = await openStore(target, { logger });
    // A shared database is an operator's: no demo user with a password printed at start.
    const demo = store.engine === 'sqlite' ? await seedDemoIfEmpty(store) : null;
    logger.info(
      { engine: store.engine, path: store.location, schemaVersion: store.schemaVersion },
      'embedded store open',
    );
    return {
      backend: store,
      ...(demo
        ? { banner: (baseUrl: string) => demoBanner(baseUrl, store.location, demo, explorerNote(config)) }
        : {}),
    };
  } catch (error) {
    // Seeding an empty store is an admin step too: a lock held by another process then is a StoreError.
    if (isStoreError(error)) {
      throw new GatewayStartError(
        'STORE_UNAVAILABLE',
        `Cannot open the embedded store (${error.code}): ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * How a person at the terminal can try the API: Apollo Sandbox at /graphql, unless this configuration has
 * no landing page (production) or runs only the manifest's documents (TRUSTED_DOCUMENTS).
 */
function explorerNote(config: Config): { label: string; note: string } {
  if (config.trustedDocumentsPath) {
    return {
      label: 'GraphQL',
      note: "TRUSTED_DOCUMENTS is set: only the manifest's documents run, named by id, so Sandbox cannot send its own; the token goes in the csp-auth-token header",
    };
  }
  if (config.production) {
    return {
      label: 'GraphQL',
      note: 'no Sandbox in production: send the token in the csp-auth-token header from any GraphQL client',
    };
  }
  return {
    label: 'Sandbox',
    note: 'put the token in the csp-auth-token header, the password in the variables',
  };
}

/** Printed once, on the first start with an empty store: everything needed to try the API. */
function demoBanner(
  baseUrl: string,
  path: string,
  demo: { username: string; password: string; token: string },
  explorer: { label: string; note: string },
) {
  return [
    '',
    'Embedded store created with a demo user (shown once; the store keeps only a hash of the password):',
    `  store:     ${path}`,
    `  username:  ${demo.username}`,
    `  password:  ${demo.password}`,
    `  token:     ${demo.token}`,
    `  ${`${explorer.label}:`.padEnd(10)} ${baseUrl}/graphql  (${explorer.note})`,
    '  The token expires in 30 minutes; mint another with: npm run store -- token ' + demo.username,
    '',
  ].join('\n');
}
