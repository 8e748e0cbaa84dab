/**
 * GET /metrics through the real gateway (port 0) and a real CSP stand-in: the Prometheus text is parsed
 * and every series this gateway adds is asserted, as are the setting that moves or disables the route
 * and the bound on label values (1,000 distinct tokens, users, request ids and operation names add no series).
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AUDIT_PATH,
  cspError,
  delayed,
  drop,
  hang,
  html,
  json,
  PATCH_PATH,
  startFakeCsp,
  STATUS_PATH,
  truncated,
  type FakeCsp,
} from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { MY_MFA, MY_MFA_AUDIT_LOG, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { scrape, type Exposition } from '../helpers/prometheus-text.js';

const input = (password = 'right') => ({ input: { password, turnedOn: true } });
const auditInput = { input: { startDate: 1_767_000_000_000, endDate: 1_767_300_000_000 } };

/** The series this gateway defines (the process and runtime defaults vary with GC and handles). */
const OWN_SERIES = /^(http_server_|http_client_|graphql_|mfa_)/;
const ownSeries = (exposition: Exposition) =>
  exposition.samples
    .filter((s) => OWN_SERIES.test(s.name))
    .map((s) => `${s.name}${JSON.stringify(s.labels)}`);

function operation(name: string, type: string, field: string, outcome: string) {
  return {
    graphql_operation_name: name,
    graphql_operation_type: type,
    graphql_root_field: field,
    outcome,
  };
}

function upstream(method: string, path: string, status: string, errorType: string) {
  return {
    http_request_method: method,
    url_template: path,
    http_response_status_code: status,
    error_type: errorType,
  };
}

describe('GET /metrics on the main port', () => {
  let csp: FakeCsp;
  let gateway: TestGateway;
  let metricsUrl: string;

  beforeAll(async () => {
    csp = await startFakeCsp();
    gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      CSP_TIMEOUT_MS: '300',
      BRUTE_FORCE_MAX_ATTEMPTS: '2',
      CORS_ORIGINS: 'https://app.example.com',
      LOG_LEVEL: 'silent',
    });
    metricsUrl = gateway.metricsUrl ?? '';
  });

  afterAll(async () => {
    await gateway.close();
    await csp.close();
  });

  afterEach(() => {
    csp.onPatch(json(200, { turnedOn: true }, { 'csp-request-id': 'csp-patch-id' }));
    csp.onStatus(json(200, { turnedOn: true }));
    csp.onAudit(json(200, { itemsPerPage: 20, startIndex: 1, totalResults: 0, results: [] }));
  });

  it('serves the Prometheus text format with the process and runtime defaults', async () => {
    expect(metricsUrl).toBe(`${gateway.url}/metrics`);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = await scrape(metricsUrl);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(m.find(name).length).toBeGreaterThan(0);
    }
    expect(m.types.get('http_client_request_duration_seconds')).toBe('histogram');
    expect(m.types.get('graphql_operations_total')).toBe('counter');
    expect(m.types.get('http_server_active_requests')).toBe('gauge');
  });

  it('counts operations by name, type, root field and union member, each member its own series', async () => {
    const token = userJwt({ sub: 'vmwareid:ops' });
    const replies = [
      [json(200, { turnedOn: true }), 'MfaStatus'],
      [cspError(403), 'MfaWrongPasswordError'],
      [cspError(429, {}, { 'retry-after': '5' }), 'MfaRateLimitedError'],
      [html(502), 'MfaUpstreamUnavailableError'],
    ] as const;
    for (const [reply, typename] of replies) {
      csp.onPatch(reply);
      const answer = await gateway.graphql<{ updateMyMfa: { __typename: string } }>(UPDATE_MY_MFA, input(), {
        'csp-auth-token': typename === 'MfaWrongPasswordError' ? userJwt({ sub: 'vmwareid:wrong' }) : token,
      });
      expect(answer.body.data?.updateMyMfa.__typename).toBe(typename);
    }
    await gateway.graphql(MY_MFA, undefined, { 'csp-auth-token': token });
    await gateway.graphql(MY_MFA);
    await gateway.graphql('{ myMfa { __typename ');
    // No operation of that name: graphql-js refuses it during execution, and the plugin must cope (was a 500).
    const unknown = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    });
    expect(unknown.status).toBe(400);
    expect(
      ((await unknown.json()) as { errors: [{ extensions: { code: string } }] }).errors[0].extensions.code,
    ).toBe('OPERATION_RESOLUTION_FAILURE');

    const m = await scrape(metricsUrl);
    for (const [, typename] of replies) {
      expect(
        m.value('graphql_operations_total', operation('UpdateMyMfa', 'mutation', 'updateMyMfa', typename)),
      ).toBe(1);
    }
    expect(m.value('graphql_operations_total', operation('MyMfa', 'query', 'myMfa', 'MfaStatus'))).toBe(1);
    expect(
      m.value('graphql_operations_total', operation('MyMfa', 'query', 'myMfa', 'MfaUnauthenticatedError')),
    ).toBe(1);
    expect(m.value('graphql_operations_total', operation('anonymous', '', '', 'GRAPHQL_PARSE_FAILED'))).toBe(
      1,
    );
    expect(
      m.value('graphql_operations_total', operation('other', '', '', 'OPERATION_RESOLUTION_FAILURE')),
    ).toBe(1);
  });

  it('times upstream calls by method, route template, status and failure kind', async () => {
    const token = userJwt({ sub: 'vmwareid:upstream' });
    const call = (query: string, variables?: Record<string, unknown>) =>
      gateway.graphql(query, variables, { 'csp-auth-token': token });
    csp.onPatch(cspError(409));
    await call(UPDATE_MY_MFA, input());
    csp.onPatch(hang);
    await call(UPDATE_MY_MFA, input());
    csp.onPatch(drop);
    await call(UPDATE_MY_MFA, input());
    csp.onPatch(json(200, '<html>not json</html>'));
    await call(UPDATE_MY_MFA, input());
    csp.onPatch(truncated);
    await call(UPDATE_MY_MFA, input());
    csp.onStatus(json(200, { turnedOn: 'yes' }));
    await call(MY_MFA);
    await call(MY_MFA_AUDIT_LOG, auditInput);

    const m = await scrape(metricsUrl);
    const count = (labels: Record<string, string>) =>
      m.value('http_client_request_duration_seconds_count', labels);
    expect(count(upstream('PATCH', PATCH_PATH, '409', ''))).toBe(1);
    expect(count(upstream('PATCH', PATCH_PATH, '', 'timeout'))).toBe(1);
    // A reset before any answer, and a body cut off after the headers: both a reset, never an answer.
    expect(count(upstream('PATCH', PATCH_PATH, '', 'reset'))).toBe(2);
    expect(count(upstream('PATCH', PATCH_PATH, '200', 'unusable_body'))).toBe(1);
    expect(count(upstream('GET', STATUS_PATH, '200', 'unusable_body'))).toBe(1);
    expect(count(upstream('POST', AUDIT_PATH, '200', ''))).toBe(1);
    // The timed-out call lands in a bucket at or above the timeout (300 ms).
    expect(
      m.value('http_client_request_duration_seconds_bucket', {
        ...upstream('PATCH', PATCH_PATH, '', 'timeout'),
        le: '0.25',
      }),
    ).toBe(0);
  });

  it('counts brute-force refusals by reason and the failures that lock a user', async () => {
    const before = await scrape(metricsUrl);
    expect(before.value('mfa_brute_force_locks_total')).toBe(0);
    expect(before.value('mfa_brute_force_refusals_total', { reason: 'locked' })).toBe(0);
    expect(before.value('mfa_brute_force_refusals_total', { reason: 'busy' })).toBe(0);

    const token = userJwt({ sub: 'vmwareid:guessing' });
    csp.onPatch(cspError(403));
    for (let i = 0; i < 4; i++)
      await gateway.graphql(UPDATE_MY_MFA, input('guess'), { 'csp-auth-token': token });

    // Three updates of one token at once with a budget of 2: the third is refused as busy.
    const busyToken = userJwt({ sub: 'vmwareid:busy' });
    csp.onPatch(delayed(150, json(200, { turnedOn: true })));
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        gateway.graphql<{ updateMyMfa: { __typename: string } }>(UPDATE_MY_MFA, input(), {
          'csp-auth-token': busyToken,
        }),
      ),
    );
    expect(answers.map((a) => a.body.data?.updateMyMfa.__typename).sort()).toEqual([
      'MfaRateLimitedError',
      'MfaStatus',
      'MfaStatus',
    ]);

    const after = await scrape(metricsUrl);
    expect(after.value('mfa_brute_force_locks_total')).toBe(1);
    expect(after.value('mfa_brute_force_refusals_total', { reason: 'locked' })).toBe(2);
    expect(after.value('mfa_brute_force_refusals_total', { reason: 'busy' })).toBe(1);
  });

  it('reports requests in flight and the duration of finished ones', async () => {
    // A request whose body has not all arrived yet is in flight for as long as the test wants.
    const slow = http.request(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    slow.on('error', () => undefined);
    slow.write('{"query":');
    await waitFor(async () => (await scrape(metricsUrl)).value('http_server_active_requests') === 2);
    // The scrape itself is the other one.
    expect((await scrape(metricsUrl)).value('http_server_active_requests')).toBe(2);
    slow.destroy();
    await waitFor(async () => (await scrape(metricsUrl)).value('http_server_active_requests') === 1);
    const m = await scrape(metricsUrl);
    const graphqlCount = m.value('http_server_request_duration_seconds_count', {
      http_request_method: 'POST',
      http_route: '/graphql',
      http_response_status_code: '200',
    });
    expect(graphqlCount).toBeGreaterThan(10);
    await fetch(`${gateway.url}/no/such/path?token=abc`);
    expect(
      (await scrape(metricsUrl)).value('http_server_request_duration_seconds_count', {
        http_request_method: 'GET',
        http_route: 'other',
        http_response_status_code: '404',
      }),
    ).toBe(1);
  });

  it('sits outside the GraphQL CORS and CSRF rules', async () => {
    const response = await fetch(metricsUrl, { headers: { origin: 'https://evil.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    // A GraphQL GET without a preflight header is refused (CSRF); the scrape above had none either.
    const graphqlGet = await fetch(`${gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(graphqlGet.status).toBe(400);
    const post = await fetch(metricsUrl, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('label cardinality', () => {
  let csp: FakeCsp;
  let gateway: TestGateway;

  beforeAll(async () => {
    csp = await startFakeCsp();
    gateway = await startGateway({ CSP_BASE_URL: csp.url, LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await gateway.close();
    await csp.close();
  });

  /** One request of user `i`: its own token, user name, request id and operation name; outcomes rotate. */
  async function request(i: number): Promise<void> {
    const username = `user-${i}@example.com`;
    const headers = {
      'csp-auth-token': userJwt({ sub: `vmwareid:user-${i}`, username, acct: username }),
      'x-request-id': `request-${i}`,
    };
    const kind = i % 4;
    if (kind === 0) {
      await gateway.graphql(
        `mutation Update${i}($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }`,
        input(),
        headers,
      );
    } else if (kind === 1) {
      await gateway.graphql(
        `mutation Wrong_${i}($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }`,
        input(`wrong-${i}`),
        headers,
      );
    } else if (kind === 2) {
      await gateway.graphql(`query Status${i} { myMfa { __typename } }`, undefined, headers);
    } else {
      await gateway.graphql(UPDATE_MY_MFA, input(), headers);
    }
  }

  it('does not grow with 1,000 distinct tokens, users, request ids and operation names', async () => {
    csp.onPatch((req, res) => {
      const body = JSON.parse(csp.requests.at(-1)?.body ?? '{}') as { password?: string };
      return (body.password?.startsWith('wrong') ? cspError(403) : json(200, { turnedOn: true }))(req, res);
    });
    csp.onStatus(json(200, { turnedOn: true }));
    for (let i = 0; i < 8; i++) await request(i);
    await scrape(gateway.metricsUrl ?? ''); // the scrape's own series
    const before = ownSeries(await scrape(gateway.metricsUrl ?? ''));

    // Ten at a time: distinct users, so no request waits on another's brute-force slot.
    for (let i = 8; i < 1_008; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => request(i + k)));
    }
    const text = await (await fetch(gateway.metricsUrl ?? '')).text();
    const after = ownSeries(await scrape(gateway.metricsUrl ?? ''));

    expect(after.sort()).toEqual(before.sort());
    expect(csp.requests.length).toBeGreaterThan(700);
    for (const trace of ['user-1000', 'request-1000', 'Update1000', 'Status1002', 'wrong-1001', 'vmwareid']) {
      expect(text).not.toContain(trace);
    }
    const operations = await scrape(gateway.metricsUrl ?? '');
    expect(
      operations.value(
        'graphql_operations_total',
        operation('other', 'mutation', 'updateMyMfa', 'MfaWrongPasswordError'),
      ),
    ).toBe(252);
  });
});

describe('the METRICS_PORT setting', () => {
  it('serves /metrics on a port of its own, and not on the main port', async () => {
    const gateway = await startGateway({
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
      CSP_BASE_URL: 'http://127.0.0.1:9',
    });
    try {
      expect(gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(gateway.metricsUrl?.startsWith(gateway.url)).toBe(false);
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
      expect((await scrape(gateway.metricsUrl ?? '')).find('process_cpu_user_seconds_total')).toHaveLength(1);
      expect((await fetch(new URL('/graphql', gateway.metricsUrl))).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  it("turns /metrics off with 'off'", async () => {
    const gateway = await startGateway({
      METRICS_PORT: 'off',
      LOG_LEVEL: 'silent',
      CSP_BASE_URL: 'http://127.0.0.1:9',
    });
    try {
      expect(gateway.metricsUrl).toBeUndefined();
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
