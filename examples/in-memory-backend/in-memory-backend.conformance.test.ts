/**
 * The conformance kit against the in-memory backend, loaded the way an operator would: through
 * MFA_BACKEND_MODULE. Run with node's own runner once built: node --test dist/examples/in-memory-backend/
 */
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defineMfaBackendConformance } from 'csp-mfa-graphql/conformance';
import { directory } from './in-memory-backend.js';

const HOUR_MS = 3_600_000;

defineMfaBackendConformance({
  test,
  after,
  fixture: {
    async setup() {
      return {
        // The same file this test imports `directory` from, so the gateway serves the data added here.
        gateway: {
          settings: { MFA_BACKEND_MODULE: fileURLToPath(new URL('./in-memory-backend.js', import.meta.url)) },
        },
        addUser: ({ username, password }) => directory.addUser(username, password),
        activateDevice: async (username, deviceName) => directory.activateDevice(username, deviceName),
        addServiceAccount: async (name) => directory.addServiceAccount(name),
        removePrincipal: async (name) => directory.removePrincipal(name),
        mintToken: async (name) => directory.mintToken(name),
        mintExpiredToken: async (name) => directory.mintToken(name, -HOUR_MS),
      };
    },
  },
});
