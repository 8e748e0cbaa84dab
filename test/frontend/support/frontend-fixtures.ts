/** Set-up shared by the frontend-kit tests: a store-mode gateway with a known user, and a fetch that counts. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../../../src/backend/store/sqlite-store.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { FAST_SCRYPT, PASSWORD } from '../../store/store-fixtures.js';

export { PASSWORD };

/** The kit's persisted-document manifest, as `TRUSTED_DOCUMENTS` takes it. */
export const KIT_MANIFEST = fileURLToPath(
  new URL('../../../src/client/generated/persisted-documents.json', import.meta.url),
);

export const DEVICE_NAME = 'Phone';

export interface StoreGateway {
  readonly gateway: TestGateway;
  readonly storePath: string;
  /** A new user (activated device, MFA off, password PASSWORD) and a token for it. */
  addUser(name?: string): Promise<{ name: string; token: string }>;
  close(): Promise<void>;
}

let users = 0;

/** The real gateway on the embedded store in a temporary file (port 0), with `env` on top. */
export async function startStoreGateway(env: Record<string, string> = {}): Promise<StoreGateway> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fe-kit-'));
  const storePath = path.join(dir, 'store.sqlite');
  // The admin handle shares the file with the gateway, as `npm run store` does with a running gateway.
  const admin = await createSqliteStore({ path: storePath, scryptParams: FAST_SCRYPT });
  const gateway = await startGateway({ MFA_STORE_PATH: storePath, ...env });
  return {
    gateway,
    storePath,
    async addUser(name = `user-${++users}@example.com`) {
      await admin.admin.addPrincipal({ kind: 'user', name, password: PASSWORD });
      await admin.admin.activateDevice(name, DEVICE_NAME);
      return { name, token: await admin.admin.mintToken(name) };
    },
    async close() {
      await gateway.close();
      await admin.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SentRequest {
  readonly operationName: string | undefined;
  /** True when the body carried document text (not only an id). */
  readonly withText: boolean;
  readonly status: number;
  readonly answer: unknown;
}

/** A fetch for GraphQL clients that records each request's operation and the answer's JSON body. */
export function countingFetch(): { fetch: typeof fetch; sent: SentRequest[]; count(name: string): number } {
  const sent: SentRequest[] = [];
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    sent.push({
      operationName: typeof body['operationName'] === 'string' ? body['operationName'] : undefined,
      withText: typeof body['query'] === 'string',
      status: response.status,
      answer: await response.clone().json(),
    });
    return response;
  };
  return {
    fetch: counting,
    sent,
    count: (name) => sent.filter((request) => request.operationName === name).length,
  };
}
