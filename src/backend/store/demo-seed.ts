/** First-start seeding, so `npm start` on an empty store gives something to try straight away. */
import { randomBytes } from 'node:crypto';
import type { StoreBackend } from './store-types.js';
import { isStoreError } from './store-errors.js';

export const DEMO_USERNAME = 'demo@example.com';
export const DEMO_DEVICE_NAME = 'Demo authenticator';

/** Shown once by the caller; the store keeps only the password's hash. */
export interface DemoCredentials {
  readonly username: string;
  readonly password: string;
  readonly token: string;
}

/**
 * With no principal in the store, creates a demo user with a random password and an activated
 * device (so turning MFA on works), and returns its credentials; otherwise returns null.
 */
export async function seedDemoIfEmpty(
  store: StoreBackend,
  options?: { username?: string; tokenTtlSeconds?: number },
): Promise<DemoCredentials | null> {
  const username = options?.username ?? DEMO_USERNAME;
  if ((await store.admin.countPrincipals()) > 0) return null;
  const password = randomBytes(18).toString('base64url');
  try {
    await store.admin.addPrincipal({ kind: 'user', name: username, password });
  } catch (error) {
    // Another process seeded between our count and our insert: theirs stands.
    if (isStoreError(error) && error.code === 'PRINCIPAL_EXISTS') return null;
    throw error;
  }
  await store.admin.activateDevice(username, DEMO_DEVICE_NAME);
  const token = await store.admin.mintToken(username, { ttlSeconds: options?.tokenTtlSeconds });
  return { username, password, token };
}
