/** Picks the backend from the configuration: CSP when CSP_BASE_URL is set, otherwise the embedded store. */
import { type Config } from '../config.js';
import { type Logger } from '../logger.js';
import { createCspMfaClient } from './csp/csp-mfa.client.js';
import { type MfaBackend } from './mfa-backend.js';

export type CreatedBackend =
  | {
      readonly ok: true;
      readonly backend: MfaBackend;
      /** Text to print once the server listens (the store's demo credentials on first start). */
      readonly banner?: (baseUrl: string) => string;
    }
  | { readonly ok: false; readonly message: string };

export async function createBackend(config: Config, logger: Logger): Promise<CreatedBackend> {
  if (config.backend.kind === 'csp') {
    const { baseUrl, timeoutMs } = config.backend;
    return { ok: true, backend: createCspMfaClient({ baseUrl, timeoutMs, logger }) };
  }
  // Loaded only in store mode, so a CSP deployment never loads the native SQLite module.
  const { createStoreBackend } = await import('./store/mfa-store.js');
  const { seedDemoIfEmpty } = await import('./store/demo-seed.js');
  const { isStoreError } = await import('./store/store-errors.js');
  try {
    const store = await createStoreBackend({ path: config.backend.path, logger });
    const demo = await seedDemoIfEmpty(store);
    logger.info({ path: store.path, schemaVersion: store.schemaVersion }, 'embedded store open');
    return {
      ok: true,
      backend: store,
      ...(demo ? { banner: (baseUrl: string) => demoBanner(baseUrl, store.path, demo) } : {}),
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
