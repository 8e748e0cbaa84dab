import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { MY_MFA, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';

let csp: FakeCsp;
let dev: TestGateway;
let prod: TestGateway;

beforeAll(async () => {
  csp = await startFakeCsp();
  dev = await startGateway({ CSP_BASE_URL: csp.url, MAX_BODY_BYTES: '2048' });
  prod = await startGateway({ CSP_BASE_URL: csp.url, NODE_ENV: 'production' });
});

afterAll(async () => {
  await dev.close();
  await prod.close();
  await csp.close();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('health and readiness', () => {
  it('answers /health and /ready with 200', async () => {
    expect((await fetch(`${dev.url}/health`)).status).toBe(200);
    const ready = await fetch(`${dev.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers 404 with a hint for unknown paths', async () => {
    const res = await fetch(`${dev.url}/nope`);
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).toContain('/graphql');
  });
});

describe('caching', () => {
  it('marks every GraphQL answer no-store: MFA data, MFA errors and refused requests', async () => {
    const headers = { 'csp-auth-token': userJwt() };
    const status = await dev.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, headers);
    expect(status.body.data?.myMfa.__typename).toBe('MfaStatus');
    const update = await dev.graphql<{ updateMyMfa: { __typename: string } }>(
      UPDATE_MY_MFA,
      { input: { password: 'p', turnedOn: true } },
      headers,
    );
    expect(update.body.data?.updateMyMfa.__typename).toBe('MfaStatus');
    const unauthenticated = await dev.graphql<{ myMfa: { __typename: string } }>(MY_MFA);
    expect(unauthenticated.body.data?.myMfa.__typename).toBe('MfaUnauthenticatedError');
    const notJson = await post(`${dev.url}/graphql`, '{"query": ');
    expect(notJson.status).toBe(400);
    const invalid = await dev.graphql('{ nope }');
    expect(invalid.status).toBe(400);

    for (const answer of [status, update, unauthenticated, notJson, invalid]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('request ids', () => {
  it('returns a generated x-request-id and reuses a sane one sent by the client', async () => {
    const generated = await fetch(`${dev.url}/health`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const reused = await fetch(`${dev.url}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(reused.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${dev.url}/health`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(replaced.headers.get('x-request-id')).not.toBe('x'.repeat(300));
  });

  it('sends the request id upstream', async () => {
    csp.requests.length = 0;
    await dev.graphql('{ myMfa { __typename } }', undefined, {
      'csp-auth-token': userJwt(),
      'x-request-id': 'trace-me-1',
    });
    expect(csp.requests[0]?.headers['x-request-id']).toBe('trace-me-1');
  });
});

describe('bad requests', () => {
  it('answers 413 to a body over the limit', async () => {
    const res = await post(
      `${dev.url}/graphql`,
      JSON.stringify({ query: `{ myMfa { __typename } } #${'x'.repeat(4096)}` }),
    );
    expect(res.status).toBe(413);
    expect(
      ((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await post(`${dev.url}/graphql`, '{"query": ');
    expect(res.status).toBe(400);
  });

  it('answers 400 to a syntax error and never quotes the document', async () => {
    const res = await post(
      `${dev.url}/graphql`,
      JSON.stringify({
        query: 'mutation { updateMyMfa(input: {password: hunter2secret turnedOn: true}) { __typename } ',
      }),
    );
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('GRAPHQL_PARSE_FAILED');
    expect(text).not.toContain('hunter2secret');
  });

  it('refuses HTTP batching', async () => {
    const res = await post(
      `${dev.url}/graphql`,
      JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    );
    expect(res.status).toBe(400);
  });

  it('blocks a CSRF-able GET without a preflight header', async () => {
    const res = await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
  });
});

describe('landing page and introspection', () => {
  it('serves the Sandbox prefilled with updateMyMfa and the token header outside production', async () => {
    const res = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('embeddable-sandbox');
    expect(page).toContain('updateMyMfa');
    expect(page).toContain('csp-auth-token');
  });

  it('serves no landing page and no introspection in production', async () => {
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('embeddable-sandbox');
    const answer = await prod.graphql('{ __schema { queryType { name } } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers introspection outside production', async () => {
    const answer = await dev.graphql('{ __schema { queryType { name } } }');
    expect(answer.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
