import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { MY_MFA, UPDATE_MY_MFA, UPDATE_MY_MFA_DETAILS, userJwt } from '../helpers/operations.js';

const APP_ORIGIN = 'https://app.example.com';

let csp: FakeCsp;
let dev: TestGateway;
let prod: TestGateway;
let prodIntrospecting: TestGateway;

beforeAll(async () => {
  csp = await startFakeCsp();
  dev = await startGateway({ CSP_BASE_URL: csp.url, CORS_ORIGINS: `${APP_ORIGIN}, http://localhost:3000` });
  prod = await startGateway({ CSP_BASE_URL: csp.url, NODE_ENV: 'production' });
  prodIntrospecting = await startGateway({
    CSP_BASE_URL: csp.url,
    NODE_ENV: 'production',
    INTROSPECTION: 'true',
  });
});

afterAll(async () => {
  await Promise.all([dev.close(), prod.close(), prodIntrospecting.close()]);
  await csp.close();
});

const token = { 'csp-auth-token': userJwt() };
const input = { input: { password: 'correct horse', turnedOn: true } };

/** The Sandbox's and codegen's introspection query, with every optional part on. */
const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

async function expectRejected(query: string, gateway: TestGateway = dev): Promise<void> {
  const answer = await gateway.graphql(query, undefined, token);
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.[0]?.extensions?.code).toMatch(/^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
  expect(answer.body.errors?.[0]?.extensions?.requestId).toEqual(expect.any(String));
}

describe('legitimate operations within the limits', () => {
  it('runs every operation the tests and the Sandbox send', async () => {
    for (const [query, variables] of [
      [UPDATE_MY_MFA, input],
      [UPDATE_MY_MFA_DETAILS, input],
      [MY_MFA, undefined],
    ] as const) {
      const answer = await dev.graphql(query, variables, token);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
    }
  });

  it("answers a federation router's _service query where it is served (off in production unless asked for)", async () => {
    for (const gateway of [dev, prodIntrospecting]) {
      const answer = await gateway.graphql<{ _service: { sdl: string } }>(
        'query __ApolloGetServiceDefinition__ { _service { sdl } }',
      );
      expect(answer.status).toBe(200);
      expect(answer.body.data?._service.sdl).toContain('updateMyMfa');
    }
  });

  it("answers the Sandbox's full introspection query outside production", async () => {
    const answer = await dev.graphql(FULL_INTROSPECTION);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});

describe('document limits (graphql-armor)', () => {
  it('refuses an operation deeper than QUERY_MAX_DEPTH', async () => {
    // __type is not exempt from the depth limit (only __schema is): nest ofType past 6 levels.
    const nested = 'ofType { '.repeat(8) + 'name' + ' }'.repeat(8);
    await expectRejected(`{ __type(name: "MfaStatus") { fields { type { ${nested} } } } }`);
  });

  it('refuses more aliases than QUERY_MAX_ALIASES (each alias could be one more password try)', async () => {
    csp.requests.length = 0;
    const aliases = Array.from({ length: 6 }, (_, i) => `a${i}: updateMyMfa(input: $input) { __typename }`);
    const answer = await dev.graphql(
      `mutation ($input: UpdateMyMfaInput!) { ${aliases.join(' ')} }`,
      input,
      token,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(csp.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('refuses more directives than QUERY_MAX_DIRECTIVES', async () => {
    await expectRejected(`{ myMfa { __typename ${'@include(if: true) '.repeat(11)} } }`);
  });

  it('refuses a document with more tokens than QUERY_MAX_TOKENS', async () => {
    await expectRejected(`{ ${'__typename '.repeat(1_001)} }`);
  });

  it('refuses an operation costlier than QUERY_MAX_COST', async () => {
    // Within depth, aliases and tokens, but every fragment spread re-counts the fragment.
    const fragment = 'fragment S on MfaStatus { turnedOn activated deviceName username }';
    const spreads = '...S '.repeat(150);
    await expectRejected(`{ myMfa { ... on MfaStatus { ${spreads} } } } ${fragment}`);
  });

  it('gives no field suggestions', async () => {
    const answer = await dev.graphql('{ myMfa { ... on MfaStatus { turnedOnn } } }', undefined, token);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toMatch(/did you mean/i);
  });
});

describe('introspection', () => {
  it('is off in production and on again with INTROSPECTION=true', async () => {
    await expectRejected('{ __schema { queryType { name } } }', prod);
    const answer = await prodIntrospecting.graphql(FULL_INTROSPECTION);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, csp-auth-token',
      },
    });

  it('answers a preflight from a listed origin with 204 and the allowed methods and headers', async () => {
    const res = await preflight(dev.url, APP_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('csp-auth-token');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('refuses a preflight from an unlisted origin with 403 and no allow-origin', async () => {
    const res = await preflight(dev.url, 'https://evil.example.net');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(
      ((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('CORS_ORIGIN_NOT_ALLOWED');
  });

  it('is closed by default: no allow-origin for any origin', async () => {
    expect((await preflight(prod.url, APP_ORIGIN)).headers.get('access-control-allow-origin')).toBeNull();
    const answer = await prod.graphql('{ __typename }', undefined, { origin: APP_ORIGIN });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sets allow-origin on the actual request from a listed origin only', async () => {
    const listed = await dev.graphql('{ __typename }', undefined, { origin: 'http://localhost:3000' });
    expect(listed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(listed.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const unlisted = await dev.graphql('{ __typename }', undefined, { origin: 'http://localhost:3001' });
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
  });
});
