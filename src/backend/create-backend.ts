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
  return {
    ok: false,
    message:
      'CSP_BASE_URL is not set. Set it to your CSP base URL, e.g. CSP_BASE_URL=https://console.cloud.vmware.com npm start.',
  };
}
