import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import {
  MyMfaAuditLogDocument,
  MyMfaDocument,
  UpdateMyMfaDocument,
  possibleTypes,
  typePolicies,
  type MfaAuditLogInput,
} from '../../src/client/index.js';
import { createSettingsClient } from '../../web/settings/src/settings-client.js';
import { cspError, html, json, startFakeCsp, type FakeCsp, type Reply } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { serviceAccountJwt, userJwt } from '../helpers/operations.js';
import {
  countingFetch,
  DEVICE_NAME,
  KIT_MANIFEST,
  PASSWORD,
  startStoreGateway,
  type StoreGateway,
} from './support/frontend-fixtures.js';

type CacheConfig = ConstructorParameters<typeof InMemoryCache>[0];

function kitClient(uri: string, token: string, cache: CacheConfig = { possibleTypes, typePolicies }) {
  const counter = countingFetch();
  const client = new ApolloClient({
    link: new HttpLink({ uri, headers: { 'csp-auth-token': token }, fetch: counter.fetch }),
    cache: new InMemoryCache(cache),
  });
  return { client, ...counter };
}

/** A wide audit window around now (the store stamps events with the real clock). */
const window = (page: Partial<MfaAuditLogInput> = {}): MfaAuditLogInput => ({
  startDate: Date.now() - 86_400_000,
  endDate: Date.now() + 86_400_000,
  ...page,
});

describe('Apollo Client with the kit, against the gateway on the embedded store', () => {
  let store: StoreGateway;

  beforeAll(async () => {
    store = await startStoreGateway();
  });

  afterAll(async () => {
    await store.close();
  });

  it('updates the cached myMfa from the updateMyMfa answer, with zero extra requests', async () => {
    const { token } = await store.addUser();
    const { client, count, sent } = kitClient(store.gateway.graphqlUrl, token);
    const seen: boolean[] = [];
    const watched = client.watchQuery({ query: MyMfaDocument }).subscribe(({ data }) => {
      const status = data?.myMfa;
      if (status?.__typename === 'MfaStatus' && status.turnedOn !== undefined) seen.push(status.turnedOn);
    });
    const before = await client.query({ query: MyMfaDocument });
    expect(before.data?.myMfa).toMatchObject({
      __typename: 'MfaStatus',
      turnedOn: false,
      deviceName: DEVICE_NAME,
    });

    const answer = await client.mutate({
      mutation: UpdateMyMfaDocument,
      variables: { input: { password: PASSWORD, turnedOn: true } },
    });
    expect(answer.data?.updateMyMfa).toEqual({ __typename: 'MfaStatus', turnedOn: true });

    // The mutation selects only turnedOn: the device the status read brought stays in the cache.
    expect(client.readQuery({ query: MyMfaDocument })?.myMfa).toEqual({
      __typename: 'MfaStatus',
      turnedOn: true,
      activated: true,
      deviceName: DEVICE_NAME,
      username: expect.any(String),
    });
    for (let i = 0; i < 100 && seen.at(-1) !== true; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.at(-1)).toBe(true);
    expect(count('MyMfa')).toBe(1);
    expect(sent.map((r) => r.operationName)).toEqual(['MyMfa', 'UpdateMyMfa']);
    watched.unsubscribe();
  });

  it('without the kit typePolicies the cached myMfa stays stale after the same toggle (why MfaStatus needs keyFields)', async () => {
    const { token } = await store.addUser();
    const { client } = kitClient(store.gateway.graphqlUrl, token, { possibleTypes });
    await client.query({ query: MyMfaDocument });
    const answer = await client.mutate({
      mutation: UpdateMyMfaDocument,
      variables: { input: { password: PASSWORD, turnedOn: true } },
    });
    expect(answer.data?.updateMyMfa).toEqual({ __typename: 'MfaStatus', turnedOn: true });
    expect(client.readQuery({ query: MyMfaDocument })?.myMfa).toMatchObject({ turnedOn: false });
  });

  it('keeps audit-log pages by pageStart, and reads them again once the log has moved', async () => {
    const { token } = await store.addUser();
    // Five events: the activation, then four changes.
    for (const turnedOn of [true, false, true, false]) {
      const answer = await store.gateway.graphql(
        'mutation($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }',
        { input: { password: PASSWORD, turnedOn } },
        { 'csp-auth-token': token },
      );
      expect(answer.body.errors).toBeUndefined();
    }
    const { client, count } = kitClient(store.gateway.graphqlUrl, token);
    const range = window();
    const page = async (pageStart: number, fetchPolicy: 'cache-first' | 'network-only' = 'cache-first') => {
      const { data } = await client.query({
        query: MyMfaAuditLogDocument,
        variables: { input: { ...range, pageLimit: 2, pageStart } },
        fetchPolicy,
      });
      const result = data?.myMfaAuditLog;
      if (result?.__typename !== 'MfaAuditLogPage') throw new Error(`not a page: ${JSON.stringify(result)}`);
      return result;
    };

    const first = await page(1);
    const second = await page(3);
    expect(first.totalResults).toBe(5);
    expect(second.startIndex).toBe(3);
    expect(second.events.map((e) => e.eventId)).not.toContain(first.events[0]?.eventId);
    expect(await page(1)).toEqual(first);
    expect(count('MyMfaAuditLog')).toBe(2);

    // A new event moves every position: the kept first page must not be served any more.
    await store.gateway.graphql(
      'mutation($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }',
      { input: { password: PASSWORD, turnedOn: true } },
      { 'csp-auth-token': token },
    );
    expect((await page(3, 'network-only')).totalResults).toBe(6);
    const moved = await page(1);
    expect(count('MyMfaAuditLog')).toBe(4);
    expect(moved.totalResults).toBe(6);
    expect(moved.events[0]?.action).toBe('MFA_ENABLE');
  });

  it('normalizes audit events by eventId', async () => {
    const { token } = await store.addUser();
    const { client } = kitClient(store.gateway.graphqlUrl, token);
    const { data } = await client.query({ query: MyMfaAuditLogDocument, variables: { input: window() } });
    const result = data?.myMfaAuditLog;
    if (result?.__typename !== 'MfaAuditLogPage') throw new Error('not a page');
    const [event] = result.events;
    expect(event?.action).toBe('MFA_ACTIVATION');
    expect(client.cache.identify({ __typename: 'MfaAuditEvent', eventId: event?.eventId })).toBe(
      `MfaAuditEvent:{"eventId":"${event?.eventId}"}`,
    );
    expect((client.cache as InMemoryCache).extract()).toHaveProperty([
      `MfaAuditEvent:{"eventId":"${event?.eventId}"}`,
    ]);
  });
});

describe('the settings page client (trusted documents by id)', () => {
  let trusted: StoreGateway;

  beforeAll(async () => {
    trusted = await startStoreGateway({ TRUSTED_DOCUMENTS: KIT_MANIFEST });
  });

  afterAll(async () => {
    await trusted.close();
  });

  it('sends only document ids to a TRUSTED_DOCUMENTS gateway, and a toggle costs no myMfa request', async () => {
    const { token } = await trusted.addUser();
    const counter = countingFetch();
    const client = createSettingsClient({ uri: trusted.gateway.graphqlUrl, token, fetch: counter.fetch });
    expect((await client.query({ query: MyMfaDocument })).data?.myMfa).toMatchObject({ turnedOn: false });
    const wrong = await client.mutate({
      mutation: UpdateMyMfaDocument,
      variables: { input: { password: 'not the password', turnedOn: true } },
    });
    expect(wrong.data?.updateMyMfa).toMatchObject({
      __typename: 'MfaWrongPasswordError',
      code: 'WRONG_PASSWORD',
    });
    await client.mutate({
      mutation: UpdateMyMfaDocument,
      variables: { input: { password: PASSWORD, turnedOn: true } },
    });
    expect(client.readQuery({ query: MyMfaDocument })?.myMfa).toMatchObject({
      turnedOn: true,
      deviceName: DEVICE_NAME,
    });
    expect(counter.sent.map((r) => [r.operationName, r.withText, r.status])).toEqual([
      ['MyMfa', false, 200],
      ['UpdateMyMfa', false, 200],
      ['UpdateMyMfa', false, 200],
    ]);
  });

  it('falls back to document text, once, on a gateway that runs any document', async () => {
    const open = await startStoreGateway();
    try {
      const { token } = await open.addUser();
      const counter = countingFetch();
      const client = createSettingsClient({ uri: open.gateway.graphqlUrl, token, fetch: counter.fetch });
      expect((await client.query({ query: MyMfaDocument })).data?.myMfa).toMatchObject({ turnedOn: false });
      await client.mutate({
        mutation: UpdateMyMfaDocument,
        variables: { input: { password: PASSWORD, turnedOn: true } },
      });
      expect(counter.sent.map((r) => [r.operationName, r.withText])).toEqual([
        ['MyMfa', false],
        ['MyMfa', true],
        ['UpdateMyMfa', true],
      ]);
      expect(client.readQuery({ query: MyMfaDocument })?.myMfa).toMatchObject({ turnedOn: true });
    } finally {
      await open.close();
    }
  });
});

describe('every MfaError member through the Apollo cache (gateway over a CSP stand-in)', () => {
  let csp: FakeCsp;
  let gateway: TestGateway;

  beforeAll(async () => {
    csp = await startFakeCsp();
    gateway = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: '400' });
  });

  afterAll(async () => {
    await gateway.close();
    await csp.close();
  });

  interface Case {
    readonly typename: string;
    readonly code: string;
    readonly operation: 'myMfa' | 'updateMyMfa' | 'myMfaAuditLog';
    readonly reply?: Reply;
    readonly token?: string;
  }

  const CASES: readonly Case[] = [
    {
      typename: 'MfaUnauthenticatedError',
      code: 'UNAUTHENTICATED',
      operation: 'myMfa',
      reply: cspError(401),
    },
    { typename: 'MfaForbiddenError', code: 'FORBIDDEN', operation: 'myMfa', reply: cspError(403) },
    { typename: 'MfaNotFoundError', code: 'NOT_FOUND', operation: 'myMfa', reply: cspError(404) },
    {
      typename: 'MfaRateLimitedError',
      code: 'RATE_LIMITED',
      operation: 'myMfa',
      reply: cspError(429, {}, { 'retry-after': '42' }),
    },
    { typename: 'MfaUnexpectedError', code: 'UNEXPECTED', operation: 'myMfa', reply: cspError(500) },
    {
      typename: 'MfaUpstreamUnavailableError',
      code: 'UPSTREAM_UNAVAILABLE',
      operation: 'myMfa',
      reply: html(502),
    },
    {
      typename: 'MfaServiceAccountNotAllowedError',
      code: 'SERVICE_ACCOUNT_NOT_ALLOWED',
      operation: 'myMfa',
      token: serviceAccountJwt(),
    },
    {
      typename: 'MfaPasswordRequiredError',
      code: 'PASSWORD_REQUIRED',
      operation: 'updateMyMfa',
      reply: cspError(400),
    },
    {
      typename: 'MfaWrongPasswordError',
      code: 'WRONG_PASSWORD',
      operation: 'updateMyMfa',
      reply: cspError(403),
    },
    { typename: 'MfaConflictError', code: 'CONFLICT', operation: 'updateMyMfa', reply: cspError(409) },
    {
      typename: 'MfaInvalidRequestError',
      code: 'INVALID_REQUEST',
      operation: 'myMfaAuditLog',
      reply: cspError(400),
    },
  ];

  it('covers every MfaError member of the schema', () => {
    expect(CASES.map((c) => c.typename).sort()).toEqual([...(possibleTypes['MfaError'] ?? [])].sort());
  });

  async function run(c: Case, cache: CacheConfig) {
    csp.onStatus(c.reply ?? json(200, {}));
    csp.onPatch(c.reply ?? json(200, {}));
    csp.onAudit(c.reply ?? json(200, {}));
    const { client, sent } = kitClient(gateway.graphqlUrl, c.token ?? userJwt(), cache);
    const variables = { input: { password: 'pw', turnedOn: true } };
    const auditVariables = { input: window() };
    let fromClient: unknown;
    let fromCache: unknown;
    if (c.operation === 'myMfa') {
      fromClient = (await client.query({ query: MyMfaDocument })).data?.myMfa;
      fromCache = client.readQuery({ query: MyMfaDocument })?.myMfa;
    } else if (c.operation === 'myMfaAuditLog') {
      fromClient = (await client.query({ query: MyMfaAuditLogDocument, variables: auditVariables })).data
        ?.myMfaAuditLog;
      fromCache = client.readQuery({
        query: MyMfaAuditLogDocument,
        variables: auditVariables,
      })?.myMfaAuditLog;
    } else {
      // Apollo drops a mutation's answer from the cache once delivered, unless told to keep it.
      fromClient = (await client.mutate({ mutation: UpdateMyMfaDocument, variables, keepRootFields: true }))
        .data?.updateMyMfa;
      const root: object = (client.cache as InMemoryCache).extract()['ROOT_MUTATION'] ?? {};
      fromCache = Object.entries(root).find(([key]) => key.startsWith('updateMyMfa('))?.[1];
    }
    const wire = (sent[0]?.answer as { data: Record<string, unknown> }).data[c.operation] as Record<
      string,
      unknown
    >;
    return { fromClient, fromCache, wire };
  }

  it.each(CASES)(
    '$typename keeps code, message and retryable (and the rest) through the cache',
    async (c) => {
      const { fromClient, fromCache, wire } = await run(c, { possibleTypes, typePolicies });
      expect(wire).toMatchObject({ __typename: c.typename, code: c.code });
      expect(typeof wire['message']).toBe('string');
      expect(typeof wire['retryable']).toBe('boolean');
      expect(fromClient).toEqual(wire);
      expect(fromCache).toEqual(wire);
      if (c.code === 'RATE_LIMITED') expect(wire['retryAfterSeconds']).toBe(42);
    },
  );

  it('without possibleTypes the MfaError fragment comes back empty from the cache (the pitfall the kit removes)', async () => {
    const c = CASES.find((x) => x.code === 'FORBIDDEN') as Case;
    const { fromCache, wire } = await run(c, { typePolicies });
    expect(wire).toMatchObject({ code: 'FORBIDDEN' });
    expect(fromCache).not.toEqual(wire);
    expect(fromCache ?? {}).not.toHaveProperty('code');
  });
});
