/**
 * The backend contract: the same GraphQL scenarios against every backend — the SQLite store, the
 * PostgreSQL store (when a server answers; otherwise one printed line says it is skipped), and the
 * CSP client talking over HTTP to the CSP simulator — must give identical answers.
 * Only the transport facts that exist on one side alone (statusCode, cspErrorCode, moduleCode, requestId)
 * are left out of the comparison; everything a client branches on is compared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCspSimulator, type CspSimulator } from '../../src/backend/store/csp-simulator.js';
import { createPostgresStore } from '../../src/backend/store/postgres-store.js';
import { createSqliteStore } from '../../src/backend/store/sqlite-store.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestSchema, postgresUnavailable } from '../store/postgres-fixtures.js';

const CONTRACT_FIELDS = `
  __typename
  ... on MfaStatus { turnedOn activated deviceName username }
  ... on MfaRateLimitedError { retryAfterSeconds }
  ... on MfaError { code retryable }
`;
const UPDATE = `mutation Update($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { ${CONTRACT_FIELDS} } }`;
const READ = `query Read { myMfa { ${CONTRACT_FIELDS} } }`;
// Event ids and dates differ between the two store files; everything else a client reads is compared.
const AUDIT = `query Audit($input: MfaAuditLogInput!) { myMfaAuditLog(input: $input) {
  __typename
  ... on MfaRateLimitedError { retryAfterSeconds }
  ... on MfaError { code retryable }
  ... on MfaAuditLogPage { itemsPerPage startIndex totalResults events { action deviceName modifiedBy username } }
  ... on MfaInvalidRequestError { errorCode }
} }`;

interface Side {
  readonly name: string;
  readonly gateway: TestGateway;
  /** An admin handle on this side's store file (principals, tokens). */
  readonly admin: StoreBackend;
  /** A handle whose clock is two hours behind, to mint tokens that are already expired. */
  readonly pastAdmin: StoreBackend;
  readonly close: () => Promise<void>;
}

async function seed(admin: StoreBackend): Promise<void> {
  await admin.admin.addPrincipal({ kind: 'user', name: 'alice@example.com', password: 'alice-password' });
  await admin.admin.activateDevice('alice@example.com', 'Alice phone');
  await admin.admin.addPrincipal({ kind: 'user', name: 'bob@example.com', password: 'bob-password' });
  await admin.admin.addPrincipal({ kind: 'user', name: 'gone@example.com', password: 'gone-password' });
  await admin.admin.addPrincipal({ kind: 'service-account', name: 'robot-app' });
}

/** Two handles on one store, seeded: one now, one two hours behind (to mint tokens already expired). */
async function openStores(open: (now?: () => number) => Promise<StoreBackend>) {
  const admin = await open();
  const pastAdmin = await open(() => Date.now() - 2 * 3_600_000);
  await seed(admin);
  return { admin, pastAdmin };
}

/** A side; closing stops the gateway, then `stop` (a simulator), the store handles, then `remove`s the data. */
function side(
  name: string,
  gateway: TestGateway,
  stores: { admin: StoreBackend; pastAdmin: StoreBackend },
  cleanup: { stop?: () => Promise<unknown>; remove: () => Promise<unknown> },
): Side {
  return {
    name,
    gateway,
    ...stores,
    close: async () => {
      await gateway.close();
      await cleanup.stop?.();
      await stores.admin.close();
      await stores.pastAdmin.close();
      await cleanup.remove();
    },
  };
}

const sqliteStores = (file: string) =>
  openStores((now) => createSqliteStore({ path: file, ...(now ? { now } : {}) }));

async function storeSide(): Promise<Side> {
  const dir = await mkdtemp(path.join(tmpdir(), 'contract-store-'));
  const file = path.join(dir, 'mfa.sqlite');
  const stores = await sqliteStores(file);
  const gateway = await startGateway({ MFA_STORE_PATH: file });
  return side('sqlite', gateway, stores, { remove: () => rm(dir, { recursive: true, force: true }) });
}

/** The gateway on a PostgreSQL store in a schema of its own (MFA_STORE_URL). */
async function postgresSide(): Promise<Side> {
  const schema = await createTestSchema();
  const stores = await openStores((now) => createPostgresStore({ url: schema.url, ...(now ? { now } : {}) }));
  const gateway = await startGateway({ MFA_STORE_URL: schema.url.href });
  return side('postgres', gateway, stores, { remove: () => schema.drop() });
}

async function cspSide(): Promise<Side> {
  const dir = await mkdtemp(path.join(tmpdir(), 'contract-csp-'));
  const stores = await sqliteStores(path.join(dir, 'mfa.sqlite'));
  const simulator: CspSimulator = createCspSimulator({ store: stores.admin });
  const url = await simulator.listen(0, '127.0.0.1');
  const gateway = await startGateway({ CSP_BASE_URL: url });
  return side('csp', gateway, stores, {
    stop: () => simulator.close(),
    remove: () => rm(dir, { recursive: true, force: true }),
  });
}

type Step = (side: Side) => Promise<unknown>;

const as = (side: Side, name: string) => side.admin.admin.mintToken(name);
const update = async (side: Side, token: string | undefined, password: string, turnedOn: boolean) =>
  (
    await side.gateway.graphql(
      UPDATE,
      { input: { password, turnedOn } },
      token ? { 'csp-auth-token': token } : {},
    )
  ).body;
const read = async (side: Side, token: string) =>
  (await side.gateway.graphql(READ, undefined, { 'csp-auth-token': token })).body;
const HOUR_MS = 3_600_000;
/** From a day ago to an hour ahead: every event of the run, whatever the clock. */
const audit = async (side: Side, token: string, input: Record<string, unknown> = {}) =>
  (
    await side.gateway.graphql(
      AUDIT,
      { input: { startDate: Date.now() - 24 * HOUR_MS, endDate: Date.now() + HOUR_MS, ...input } },
      { 'csp-auth-token': token },
    )
  ).body;

/** Ordered: later scenarios see the state earlier ones left, on both sides alike. */
const SCENARIOS: Array<[string, string, Step]> = [
  ['reads the initial status', 'MfaStatus', async (s) => read(s, await as(s, 'alice@example.com'))],
  [
    'turns MFA on with the right password',
    'MfaStatus',
    async (s) => update(s, await as(s, 'alice@example.com'), 'alice-password', true),
  ],
  [
    'turns MFA on again (already on)',
    'MfaStatus',
    async (s) => update(s, await as(s, 'alice@example.com'), 'alice-password', true),
  ],
  ['reads the status after the change', 'MfaStatus', async (s) => read(s, await as(s, 'alice@example.com'))],
  [
    'refuses a wrong password',
    'MfaWrongPasswordError',
    async (s) => update(s, await as(s, 'alice@example.com'), 'not-her-password', false),
  ],
  [
    'refuses an empty password',
    'MfaPasswordRequiredError',
    async (s) => update(s, await as(s, 'alice@example.com'), '', false),
  ],
  [
    'turns MFA off',
    'MfaStatus',
    async (s) => update(s, await as(s, 'alice@example.com'), 'alice-password', false),
  ],
  [
    'reads the audit log after some updates',
    'MfaAuditLogPage',
    async (s) => audit(s, await as(s, 'alice@example.com')),
  ],
  [
    'filters the audit log by action',
    'MfaAuditLogPage',
    async (s) => audit(s, await as(s, 'alice@example.com'), { actions: ['MFA_ENABLE', 'MFA_DISABLE'] }),
  ],
  [
    'pages the audit log',
    'MfaAuditLogPage',
    async (s) => audit(s, await as(s, 'alice@example.com'), { pageLimit: 2, pageStart: 2 }),
  ],
  [
    'refuses an audit window that ends before it starts (checked locally)',
    'MfaInvalidRequestError',
    async (s) => audit(s, await as(s, 'alice@example.com'), { startDate: 2_000, endDate: 1_000 }),
  ],
  [
    'refuses an audit window that starts in the future (checked by the backend)',
    'MfaInvalidRequestError',
    async (s) =>
      audit(s, await as(s, 'alice@example.com'), {
        startDate: Date.now() + HOUR_MS,
        endDate: Date.now() + 2 * HOUR_MS,
      }),
  ],
  [
    'refuses an audit page window that is too large',
    'MfaInvalidRequestError',
    async (s) => audit(s, await as(s, 'alice@example.com'), { pageLimit: 500 }),
  ],
  [
    'answers conflict when no device is activated',
    'MfaConflictError',
    async (s) => update(s, await as(s, 'bob@example.com'), 'bob-password', true),
  ],
  ['refuses a missing token', 'MfaUnauthenticatedError', async (s) => update(s, undefined, 'x', true)],
  [
    'refuses a tampered token',
    'MfaUnauthenticatedError',
    async (s) => {
      const [header, payload, signature] = (await as(s, 'alice@example.com')).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
        string,
        unknown
      >;
      const forged = Buffer.from(JSON.stringify({ ...claims, username: 'bob@example.com' })).toString(
        'base64url',
      );
      return update(s, `${header}.${forged}.${signature}`, 'bob-password', false);
    },
  ],
  [
    'refuses an expired token',
    'MfaUnauthenticatedError',
    async (s) => update(s, await s.pastAdmin.admin.mintToken('alice@example.com'), 'alice-password', true),
  ],
  [
    'refuses a service account',
    'MfaServiceAccountNotAllowedError',
    async (s) => update(s, await as(s, 'robot-app'), 'x', true),
  ],
  [
    'refuses a service account read',
    'MfaServiceAccountNotAllowedError',
    async (s) => read(s, await as(s, 'robot-app')),
  ],
  [
    'refuses a service account audit read',
    'MfaServiceAccountNotAllowedError',
    async (s) => audit(s, await as(s, 'robot-app')),
  ],
  [
    'refuses an audit read with an expired token',
    'MfaUnauthenticatedError',
    async (s) => audit(s, await s.pastAdmin.admin.mintToken('alice@example.com')),
  ],
  [
    'answers not found for a removed principal',
    'MfaNotFoundError',
    async (s) => {
      const token = await as(s, 'gone@example.com');
      await s.admin.admin.removePrincipal('gone@example.com');
      return update(s, token, 'gone-password', true);
    },
  ],
  [
    'answers not found on the audit read for a removed principal',
    'MfaNotFoundError',
    async (s) => {
      await s.admin.admin.addPrincipal({
        kind: 'user',
        name: 'gone2@example.com',
        password: 'gone-password',
      });
      const token = await as(s, 'gone2@example.com');
      await s.admin.admin.removePrincipal('gone2@example.com');
      return audit(s, token);
    },
  ],
];

const postgresSkipped = await postgresUnavailable();
if (postgresSkipped) console.log(`the contract runs without its PostgreSQL side: ${postgresSkipped}`);

describe('the backend contract (SQLite store, PostgreSQL store, CSP client → simulator)', () => {
  let sides: Side[];

  beforeAll(async () => {
    sides = await Promise.all([storeSide(), cspSide(), ...(postgresSkipped ? [] : [postgresSide()])]);
  });

  afterAll(async () => {
    await Promise.all(sides.map((s) => s.close()));
  });

  it.each(SCENARIOS)('%s: %s on every side, identical answers', async (_name, typename, step) => {
    const answers: Array<{ side: string; answer: unknown }> = [];
    for (const side of sides) answers.push({ side: side.name, answer: await step(side) });
    const [first] = answers as [{ side: string; answer: unknown }];
    for (const other of answers.slice(1)) expect(other).toEqual({ side: other.side, answer: first.answer });
    const { data, errors } = first.answer as {
      data?: Record<string, { __typename: string }>;
      errors?: unknown;
    };
    expect(errors).toBeUndefined();
    expect(Object.values(data ?? {})[0]?.__typename).toBe(typename);
  });

  it('reads the same audit trail on every side: newest first, filtered, paged, with the reason of a refusal', async () => {
    for (const side of sides) {
      const token = await as(side, 'alice@example.com');
      expect(await audit(side, token)).toMatchObject({
        data: {
          myMfaAuditLog: {
            __typename: 'MfaAuditLogPage',
            totalResults: 4,
            events: [
              { action: 'MFA_DISABLE', deviceName: 'Alice phone', modifiedBy: 'alice@example.com' },
              { action: 'MFA_AUTHENTICATION_FAILURE', username: 'alice@example.com' },
              { action: 'MFA_ENABLE', deviceName: 'Alice phone' },
              { action: 'MFA_ACTIVATION', modifiedBy: 'store-admin' },
            ],
          },
        },
      });
      const filtered = await audit(side, token, { actions: ['MFA_ENABLE'] });
      expect(filtered).toMatchObject({
        data: { myMfaAuditLog: { totalResults: 1, events: [{ action: 'MFA_ENABLE' }] } },
      });
      expect(await audit(side, token, { pageLimit: 2, pageStart: 2 })).toMatchObject({
        data: {
          myMfaAuditLog: {
            itemsPerPage: 2,
            startIndex: 2,
            totalResults: 4,
            events: [{ action: 'MFA_AUTHENTICATION_FAILURE' }, { action: 'MFA_ENABLE' }],
          },
        },
      });
      const future = { startDate: Date.now() + HOUR_MS, endDate: Date.now() + 2 * HOUR_MS };
      expect(await audit(side, token, future)).toMatchObject({
        data: { myMfaAuditLog: { code: 'INVALID_REQUEST', retryable: false, errorCode: 'START_IN_FUTURE' } },
      });
    }
  });

  it.each(['sqlite', 'postgres'])(
    'carries the %s store’s device and user details into MfaStatus',
    async (name) => {
      const side = sides.find((candidate) => candidate.name === name);
      if (!side) return; // PostgreSQL absent: said once above
      const token = await as(side, 'alice@example.com');
      expect(await update(side, token, 'wrong', true)).toMatchObject({
        data: { updateMyMfa: { __typename: 'MfaWrongPasswordError', code: 'WRONG_PASSWORD' } },
      });
      expect(await update(side, await as(side, 'bob@example.com'), 'bob-password', true)).toMatchObject({
        data: { updateMyMfa: { __typename: 'MfaConflictError', code: 'CONFLICT' } },
      });
      expect(await read(side, token)).toMatchObject({
        data: {
          myMfa: {
            __typename: 'MfaStatus',
            activated: true,
            deviceName: 'Alice phone',
            username: 'alice@example.com',
          },
        },
      });
    },
  );
});
