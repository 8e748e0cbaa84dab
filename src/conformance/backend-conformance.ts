/**
 * The backend contract as tests anyone can run: the same GraphQL scenarios the SQLite store and the CSP
 * client (against the simulator) pass, sent over HTTP to a real gateway (createGateway, port 0) on the
 * backend under test. Checks use node:assert, so any runner that reports a thrown error works.
 */
import assert from 'node:assert/strict';
import { createGateway, type GatewayAddress, type MfaGateway } from '../gateway.js';
import { type ConformanceBackend, type ConformanceOptions } from './conformance-fixture.js';

export const ALICE = 'alice@example.com';
export const ALICE_PASSWORD = 'alice-password';
export const ALICE_DEVICE = 'Alice phone';
export const BOB = 'bob@example.com';
export const BOB_PASSWORD = 'bob-password';
export const GONE = 'gone@example.com';
export const GONE_AUDIT = 'gone2@example.com';
export const GONE_PASSWORD = 'gone-password';
export const ROBOT = 'robot-app';

const CONTRACT_FIELDS = `
  __typename
  ... on MfaStatus { turnedOn activated deviceName username }
  ... on MfaRateLimitedError { retryAfterSeconds }
  ... on MfaError { code retryable }
`;
const UPDATE = `mutation Update($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { ${CONTRACT_FIELDS} } }`;
const READ = `query Read { myMfa { ${CONTRACT_FIELDS} } }`;
// Event ids and dates differ from backend to backend; everything else a client reads is checked.
const AUDIT = `query Audit($input: MfaAuditLogInput!) { myMfaAuditLog(input: $input) {
  __typename
  ... on MfaRateLimitedError { retryAfterSeconds }
  ... on MfaError { code retryable }
  ... on MfaAuditLogPage { itemsPerPage startIndex totalResults events { action deviceName modifiedBy username } }
  ... on MfaInvalidRequestError { errorCode }
} }`;

const HOUR_MS = 3_600_000;

interface Answer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: unknown;
}

type Fields = Record<string, unknown>;

/** What a scenario works with: the running gateway, the fixture, and the audit events there were at start. */
interface Run {
  readonly address: GatewayAddress;
  readonly backend: ConformanceBackend;
  readonly auditBaseline: number;
}

interface Scenario {
  readonly name: string;
  run(run: Run, send: Send): Promise<void>;
}

type Send = (query: string, variables: Fields | undefined, token: string | undefined) => Promise<Fields>;

/**
 * Registers the contract's scenarios, in order, between a first test that starts a gateway on the
 * fixture's backend and a last one that stops it.
 */
export function defineMfaBackendConformance(options: ConformanceOptions): void {
  const { test, fixture } = options;
  let backend: ConformanceBackend | undefined;
  let gateway: MfaGateway | undefined;
  let run: Run | undefined;
  let startFailure: unknown;
  let closed: Promise<void> | undefined;

  const close = () =>
    (closed ??= (async () => {
      await gateway?.close();
      await backend?.close?.();
    })());

  test('starts a gateway on the backend, with the principals the scenarios use', async () => {
    try {
      backend = await fixture.setup();
      await backend.addUser({ username: ALICE, password: ALICE_PASSWORD });
      await backend.activateDevice(ALICE, ALICE_DEVICE);
      await backend.addUser({ username: BOB, password: BOB_PASSWORD });
      await backend.addUser({ username: GONE, password: GONE_PASSWORD });
      await backend.addServiceAccount(ROBOT);
      gateway = await createGateway({
        ...backend.gateway,
        settings: { ...backend.gateway.settings, PORT: 0, HOST: '127.0.0.1' },
        log: options.log ?? { level: 'silent' },
      });
      const address = await gateway.listen();
      const baseline = await sendTo(address)(AUDIT, auditWindow(), await backend.mintToken(ALICE));
      const page = expectMember(baseline, 'myMfaAuditLog', 'MfaAuditLogPage');
      run = { address, backend, auditBaseline: page.totalResults as number };
    } catch (error) {
      startFailure = error;
      throw error;
    }
  });

  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      if (!run) throw new Error(`no gateway to test: its start failed (${String(startFailure)})`);
      const send = sendTo(run.address);
      await scenario.run(run, async (query, variables, token) => {
        const body = await send(query, variables, token);
        options.onAnswer?.(scenario.name, body);
        return body;
      });
    });
  }

  test('stops the gateway and the backend', close);
  options.after?.(close);
}

function sendTo(address: GatewayAddress): Send {
  return async (query, variables, token) => {
    const response = await fetch(address.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { 'csp-auth-token': token }),
      },
      body: JSON.stringify({ query, variables }),
    });
    assert.equal(response.status, 200, `HTTP ${response.status} from the gateway`);
    // Parsed by this realm's JSON, not fetch's: under jest the two differ, and node:assert's strict
    // comparison tells their arrays apart.
    return JSON.parse(await response.text()) as Fields;
  };
}

/** The union member a root field answered, after checking it has the expected `__typename`. */
function expectMember(answer: Answer, field: string, typename: string, fields: Fields = {}): Fields {
  assert.equal(answer.errors, undefined, `GraphQL errors: ${JSON.stringify(answer.errors)}`);
  const member = answer.data?.[field] as Fields | undefined;
  assert.ok(member, `no ${field} in ${JSON.stringify(answer)}`);
  assert.equal(member.__typename, typename, `${field} answered ${JSON.stringify(member)}`);
  for (const [name, value] of Object.entries(fields)) {
    assert.deepEqual(member[name], value, `${typename}.${name} in ${JSON.stringify(member)}`);
  }
  return member;
}

/** Fields CSP documents as optional: a backend may leave them out (null), but what it sends must be right. */
function expectOptional(member: Fields, fields: Fields): void {
  for (const [name, value] of Object.entries(fields)) {
    if (member[name] === null || member[name] === undefined) continue;
    assert.deepEqual(
      member[name],
      value,
      `${String(member.__typename ?? 'event')}.${name} in ${JSON.stringify(member)}`,
    );
  }
}

function expectStatus(answer: Answer, field: string, turnedOn: boolean, optional: Fields = {}): void {
  expectOptional(expectMember(answer, field, 'MfaStatus', { turnedOn }), optional);
}

/** Checks a page's events, newest first: each one's action, and its optional fields when present. */
function expectEvents(page: Fields, expected: ReadonlyArray<Fields & { action: string }>): void {
  const events = page.events as Fields[];
  assert.deepEqual(
    events.map((e) => e.action),
    expected.map((e) => e.action),
    `audit events in ${JSON.stringify(page)}`,
  );
  expected.forEach(({ action: _action, ...optional }, i) => expectOptional(events[i] as Fields, optional));
}

/** From a day ago to an hour ahead: every event of the run, whatever the clock. */
const auditWindow = (input: Fields = {}): Fields => ({
  input: { startDate: Date.now() - 24 * HOUR_MS, endDate: Date.now() + HOUR_MS, ...input },
});

const updateInput = (password: string, turnedOn: boolean): Fields => ({ input: { password, turnedOn } });

/**
 * A token that must not pass: a JWT keeps its signature under claims that name another user; anything
 * else gets its last character changed.
 */
export function tamperToken(token: string, otherUsername: string): string {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header && payload && signature && rest.length === 0) {
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (claims !== null && typeof claims === 'object') {
        const forged = Buffer.from(JSON.stringify({ ...claims, username: otherUsername })).toString(
          'base64url',
        );
        return `${header}.${forged}.${signature}`;
      }
    } catch {
      // Not a JWT after all: changed below like any other token.
    }
  }
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
}

const ALICE_DETAILS = { activated: true, deviceName: ALICE_DEVICE, username: ALICE };
const ALICE_EVENT = { deviceName: ALICE_DEVICE, modifiedBy: ALICE, username: ALICE };

/** Ordered: later scenarios see the state earlier ones left. */
const SCENARIOS: readonly Scenario[] = [
  {
    name: 'reads the initial status: off, with the activated device',
    run: async ({ backend }, send) =>
      expectStatus(
        await send(READ, undefined, await backend.mintToken(ALICE)),
        'myMfa',
        false,
        ALICE_DETAILS,
      ),
  },
  {
    name: 'turns MFA on with the right password',
    run: async ({ backend }, send) =>
      expectStatus(
        await send(UPDATE, updateInput(ALICE_PASSWORD, true), await backend.mintToken(ALICE)),
        'updateMyMfa',
        true,
      ),
  },
  {
    name: 'turns MFA on again: already on, same answer',
    run: async ({ backend }, send) =>
      expectStatus(
        await send(UPDATE, updateInput(ALICE_PASSWORD, true), await backend.mintToken(ALICE)),
        'updateMyMfa',
        true,
      ),
  },
  {
    name: 'reads the status after the change',
    run: async ({ backend }, send) =>
      expectStatus(await send(READ, undefined, await backend.mintToken(ALICE)), 'myMfa', true, ALICE_DETAILS),
  },
  {
    name: 'refuses a wrong password (MfaWrongPasswordError)',
    run: async ({ backend }, send) => {
      const answer = await send(
        UPDATE,
        updateInput('not-her-password', false),
        await backend.mintToken(ALICE),
      );
      expectMember(answer, 'updateMyMfa', 'MfaWrongPasswordError', { code: 'WRONG_PASSWORD' });
    },
  },
  {
    name: 'refuses an empty password (MfaPasswordRequiredError)',
    run: async ({ backend }, send) => {
      const answer = await send(UPDATE, updateInput('', false), await backend.mintToken(ALICE));
      expectMember(answer, 'updateMyMfa', 'MfaPasswordRequiredError', { code: 'PASSWORD_REQUIRED' });
    },
  },
  {
    name: 'turns MFA off',
    run: async ({ backend }, send) =>
      expectStatus(
        await send(UPDATE, updateInput(ALICE_PASSWORD, false), await backend.mintToken(ALICE)),
        'updateMyMfa',
        false,
      ),
  },
  {
    name: 'reads the audit log: each change and the wrong password, newest first (a repeat changes nothing)',
    run: async ({ backend, auditBaseline }, send) => {
      const answer = await send(AUDIT, auditWindow(), await backend.mintToken(ALICE));
      const page = expectMember(answer, 'myMfaAuditLog', 'MfaAuditLogPage', {
        startIndex: 1,
        totalResults: auditBaseline + 3,
      });
      expectEvents({ events: (page.events as Fields[]).slice(0, 3) }, [
        { action: 'MFA_DISABLE', ...ALICE_EVENT },
        { action: 'MFA_AUTHENTICATION_FAILURE', ...ALICE_EVENT },
        { action: 'MFA_ENABLE', ...ALICE_EVENT },
      ]);
    },
  },
  {
    name: 'filters the audit log by action',
    run: async ({ backend }, send) => {
      const answer = await send(
        AUDIT,
        auditWindow({ actions: ['MFA_ENABLE', 'MFA_DISABLE'] }),
        await backend.mintToken(ALICE),
      );
      const page = expectMember(answer, 'myMfaAuditLog', 'MfaAuditLogPage', { totalResults: 2 });
      expectEvents(page, [{ action: 'MFA_DISABLE' }, { action: 'MFA_ENABLE' }]);
    },
  },
  {
    name: 'pages the audit log (pageStart counts from 1)',
    run: async ({ backend, auditBaseline }, send) => {
      const answer = await send(
        AUDIT,
        auditWindow({ pageLimit: 2, pageStart: 2 }),
        await backend.mintToken(ALICE),
      );
      const page = expectMember(answer, 'myMfaAuditLog', 'MfaAuditLogPage', {
        itemsPerPage: 2,
        startIndex: 2,
        totalResults: auditBaseline + 3,
      });
      expectEvents(page, [{ action: 'MFA_AUTHENTICATION_FAILURE' }, { action: 'MFA_ENABLE' }]);
    },
  },
  {
    name: 'refuses an audit window that ends before it starts',
    run: async ({ backend }, send) => {
      const answer = await send(
        AUDIT,
        { input: { startDate: 2_000, endDate: 1_000 } },
        await backend.mintToken(ALICE),
      );
      expectMember(answer, 'myMfaAuditLog', 'MfaInvalidRequestError', { code: 'INVALID_REQUEST' });
    },
  },
  {
    name: 'refuses an audit window that starts in the future',
    run: async ({ backend }, send) => {
      const future = { startDate: Date.now() + HOUR_MS, endDate: Date.now() + 2 * HOUR_MS };
      const answer = await send(AUDIT, { input: future }, await backend.mintToken(ALICE));
      const member = expectMember(answer, 'myMfaAuditLog', 'MfaInvalidRequestError', {
        code: 'INVALID_REQUEST',
      });
      expectOptional(member, { errorCode: 'START_IN_FUTURE' });
    },
  },
  {
    name: 'refuses an audit page window that is too large',
    run: async ({ backend }, send) => {
      const answer = await send(AUDIT, auditWindow({ pageLimit: 500 }), await backend.mintToken(ALICE));
      expectMember(answer, 'myMfaAuditLog', 'MfaInvalidRequestError', { code: 'INVALID_REQUEST' });
    },
  },
  {
    name: 'answers MfaConflictError when turning MFA on with no device activated',
    run: async ({ backend }, send) => {
      const answer = await send(UPDATE, updateInput(BOB_PASSWORD, true), await backend.mintToken(BOB));
      expectMember(answer, 'updateMyMfa', 'MfaConflictError', { code: 'CONFLICT' });
    },
  },
  {
    name: 'turns MFA off with no device activated (always allowed)',
    run: async ({ backend }, send) =>
      expectStatus(
        await send(UPDATE, updateInput(BOB_PASSWORD, false), await backend.mintToken(BOB)),
        'updateMyMfa',
        false,
      ),
  },
  {
    name: 'refuses a missing token',
    run: async (_run, send) => {
      const answer = await send(UPDATE, updateInput('x', true), undefined);
      expectMember(answer, 'updateMyMfa', 'MfaUnauthenticatedError', { code: 'UNAUTHENTICATED' });
    },
  },
  {
    name: 'refuses a tampered token',
    run: async ({ backend }, send) => {
      const forged = tamperToken(await backend.mintToken(ALICE), BOB);
      expectMember(
        await send(UPDATE, updateInput(BOB_PASSWORD, false), forged),
        'updateMyMfa',
        'MfaUnauthenticatedError',
      );
      expectMember(await send(READ, undefined, forged), 'myMfa', 'MfaUnauthenticatedError');
    },
  },
  {
    name: 'refuses an expired token',
    run: async ({ backend }, send) => {
      const expired = await backend.mintExpiredToken(ALICE);
      expectMember(
        await send(UPDATE, updateInput(ALICE_PASSWORD, true), expired),
        'updateMyMfa',
        'MfaUnauthenticatedError',
      );
      expectMember(await send(READ, undefined, expired), 'myMfa', 'MfaUnauthenticatedError');
      expectMember(await send(AUDIT, auditWindow(), expired), 'myMfaAuditLog', 'MfaUnauthenticatedError');
    },
  },
  {
    name: 'refuses a service account: update, status and audit log',
    run: async ({ backend }, send) => {
      const token = await backend.mintToken(ROBOT);
      const code = { code: 'SERVICE_ACCOUNT_NOT_ALLOWED' };
      const typename = 'MfaServiceAccountNotAllowedError';
      expectMember(await send(UPDATE, updateInput('x', true), token), 'updateMyMfa', typename, code);
      expectMember(await send(READ, undefined, token), 'myMfa', typename, code);
      expectMember(await send(AUDIT, auditWindow(), token), 'myMfaAuditLog', typename, code);
    },
  },
  {
    name: 'answers MfaNotFoundError for a valid token whose principal was removed',
    run: async ({ backend }, send) => {
      const token = await backend.mintToken(GONE);
      await backend.removePrincipal(GONE);
      const code = { code: 'NOT_FOUND' };
      expectMember(
        await send(UPDATE, updateInput(GONE_PASSWORD, true), token),
        'updateMyMfa',
        'MfaNotFoundError',
        code,
      );
      expectMember(await send(READ, undefined, token), 'myMfa', 'MfaNotFoundError', code);
    },
  },
  {
    name: 'answers MfaNotFoundError on the audit read for a removed principal',
    run: async ({ backend }, send) => {
      await backend.addUser({ username: GONE_AUDIT, password: GONE_PASSWORD });
      const token = await backend.mintToken(GONE_AUDIT);
      await backend.removePrincipal(GONE_AUDIT);
      expectMember(await send(AUDIT, auditWindow(), token), 'myMfaAuditLog', 'MfaNotFoundError', {
        code: 'NOT_FOUND',
      });
    },
  },
];

/** The scenario names, in order (the kit's first and last tests start and stop the gateway around them). */
export const CONFORMANCE_SCENARIOS: readonly string[] = SCENARIOS.map((s) => s.name);
