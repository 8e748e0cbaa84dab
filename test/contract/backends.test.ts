/**
 * The backend contract: the conformance kit (src/conformance/) against every backend this project ships,
 * each behind a real gateway on port 0: the SQLite store, the PostgreSQL store (when a server answers;
 * otherwise one printed line says it is skipped), and the CSP client talking over HTTP to the CSP
 * simulator. On top of the kit's own checks, they must give identical answers: only the transport facts
 * that exist on one side alone (statusCode, cspErrorCode, moduleCode, requestId) are not selected;
 * everything a client branches on is compared.
 *
 * A side is a name and a fixture (`ConformanceFixture`); a store's fixture is `storeFixture` on its opener.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createCspSimulator } from '../../src/backend/store/csp-simulator.js';
import { createPostgresStore } from '../../src/backend/store/postgres-store.js';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import {
  CONFORMANCE_SCENARIOS,
  defineMfaBackendConformance,
  type ConformanceBackend,
  type ConformanceFixture,
} from '../../src/conformance/index.js';
import { createTestSchema, postgresUnavailable } from '../store/postgres-fixtures.js';

const HOUR_MS = 3_600_000;

/** Opens a handle on the store under test; `now` shifts its clock (tokens, audit dates). */
type OpenStore = (now?: () => number) => Promise<StoreBackend>;

/**
 * The kit's fixture on any store with the admin API: principals and tokens through an admin handle,
 * expired tokens from a second handle whose clock is two hours behind.
 */
async function storeFixture(
  open: OpenStore,
): Promise<Omit<ConformanceBackend, 'gateway'> & { close(): Promise<void> }> {
  const admin = await open();
  const pastAdmin = await open(() => Date.now() - 2 * HOUR_MS);
  return {
    addUser: async ({ username, password }) => {
      await admin.admin.addPrincipal({ kind: 'user', name: username, password });
    },
    activateDevice: async (username, deviceName) => {
      await admin.admin.activateDevice(username, deviceName);
    },
    addServiceAccount: async (name) => {
      await admin.admin.addPrincipal({ kind: 'service-account', name });
    },
    removePrincipal: async (name) => {
      await admin.admin.removePrincipal(name);
    },
    mintToken: (name) => admin.admin.mintToken(name),
    mintExpiredToken: (name) => pastAdmin.admin.mintToken(name),
    close: async () => {
      await admin.close();
      await pastAdmin.close();
    },
  };
}

const openSqlite =
  (file: string): OpenStore =>
  (now) =>
    createSqliteStore({ path: file, ...(now ? { now } : {}) });

const sqliteStore: ConformanceFixture = {
  async setup() {
    const dir = await mkdtemp(path.join(tmpdir(), 'contract-store-'));
    const file = path.join(dir, 'mfa.sqlite');
    const store = await storeFixture(openSqlite(file));
    return {
      ...store,
      gateway: { settings: { MFA_STORE_PATH: file } },
      close: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The gateway on a PostgreSQL store in a schema of its own (MFA_STORE_URL). */
const postgresStore: ConformanceFixture = {
  async setup() {
    const schema = await createTestSchema();
    const store = await storeFixture((now) =>
      createPostgresStore({ url: schema.url, ...(now ? { now } : {}) }),
    );
    return {
      ...store,
      gateway: { settings: { MFA_STORE_URL: schema.url.href } },
      close: async () => {
        await store.close();
        await schema.drop();
      },
    };
  },
};

const cspSimulator: ConformanceFixture = {
  async setup() {
    const dir = await mkdtemp(path.join(tmpdir(), 'contract-csp-'));
    const file = path.join(dir, 'mfa.sqlite');
    const store = await storeFixture(openSqlite(file));
    const simulatorStore = await createSqliteStore({ path: file });
    const simulator = createCspSimulator({ store: simulatorStore });
    const url = await simulator.listen(0, '127.0.0.1');
    return {
      ...store,
      gateway: { settings: { CSP_BASE_URL: url } },
      close: async () => {
        await simulator.close();
        await simulatorStore.close();
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresSkipped = await postgresUnavailable();
if (postgresSkipped) console.log(`the contract runs without its PostgreSQL side: ${postgresSkipped}`);

/** Every backend the kit runs against; the first is the one the others' answers are compared with. */
const SIDES: ReadonlyArray<{ readonly name: string; readonly fixture: ConformanceFixture }> = [
  { name: 'SQLite store', fixture: sqliteStore },
  { name: 'CSP client → CSP simulator', fixture: cspSimulator },
  ...(postgresSkipped ? [] : [{ name: 'PostgreSQL store', fixture: postgresStore }]),
];

/** Each side's answers, scenario by scenario, in the order they came. */
const answers = new Map<string, Map<string, unknown[]>>();

for (const side of SIDES) {
  describe(`the backend contract on the ${side.name}`, () => {
    const mine = new Map<string, unknown[]>();
    answers.set(side.name, mine);
    defineMfaBackendConformance({
      test: it,
      after: afterAll,
      fixture: side.fixture,
      onAnswer: (scenario, answer) => mine.set(scenario, [...(mine.get(scenario) ?? []), answer]),
    });
  });
}

describe('the backends side by side', () => {
  const [reference, ...others] = SIDES.map((s) => s.name) as [string, ...string[]];

  it.each(others)(`answers every scenario as the ${reference} does: %s`, (name) => {
    const expected = answers.get(reference);
    const actual = answers.get(name);
    expect(expected?.size).toBe(CONFORMANCE_SCENARIOS.length);
    for (const scenario of CONFORMANCE_SCENARIOS) {
      expect({ scenario, answers: actual?.get(scenario) }).toEqual({
        scenario,
        answers: expected?.get(scenario),
      });
    }
  });

  it.each(SIDES.filter((s) => s.name.endsWith('store')).map((s) => s.name))(
    'carries the %s’s device and user details into MfaStatus',
    (name) => {
      const [status] = answers.get(name)?.get(CONFORMANCE_SCENARIOS[0] ?? '') ?? [];
      expect(status).toEqual({
        data: {
          myMfa: {
            __typename: 'MfaStatus',
            turnedOn: false,
            activated: true,
            deviceName: 'Alice phone',
            username: 'alice@example.com',
          },
        },
      });
    },
  );
});
