import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CSP_MFA_AUDIT_PATH, CSP_MFA_PATH, CSP_MFA_STATUS_PATH } from '../../src/backend/csp/csp-paths.js';
import {
  createCspSimulator,
  type CspSimulator,
  type SimulatedFault,
} from '../../src/backend/store/csp-simulator.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import { addUser, openTestStore, PASSWORD, removeTempDirs } from './store-fixtures.js';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers['csp-auth-token'] = options.token;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Every error answer is a CspErrorResponse whose requestId matches the csp-request-id header. */
function expectCspError(answer: Answer, status: number, errorCode: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/json');
  expect(answer.body).toEqual({
    statusCode: status,
    cspErrorCode: expect.stringMatching(/^420\.\d+$/u),
    errorCode,
    message: expect.any(String),
    moduleCode: 420,
    requestId: answer.headers.get('csp-request-id'),
  });
}

const allTime = { startDate: 0, endDate: Date.UTC(2100, 0, 1) };

describe('CSP simulator', () => {
  let store: StoreBackend;
  let simulator: CspSimulator;
  let url: string;
  let fault: SimulatedFault | undefined;
  let user: { name: string; token: string };
  let robotToken: string;

  beforeAll(async () => {
    store = await openTestStore({ maxFailedAttempts: 0 });
    user = await addUser(store);
    await store.admin.addPrincipal({ kind: 'service-account', name: 'robot' });
    robotToken = await store.admin.mintToken('robot');
    simulator = createCspSimulator({ store, faults: () => fault });
    url = await simulator.listen(0);
  });

  afterAll(async () => {
    await simulator.close();
    await store.close();
    await removeTempDirs();
  });

  describe('GET status', () => {
    it('answers 200 with UserMfaStatusDto and a csp-request-id header', async () => {
      const answer = await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: user.token });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('csp-request-id')).toMatch(/^[0-9a-f-]{36}$/u);
      expect(answer.body).toMatchObject({ activated: true, deviceName: 'Phone', username: user.name });
    });

    it('answers 401 without a token and with a bad one', async () => {
      expectCspError(await send(url, 'GET', CSP_MFA_STATUS_PATH), 401, 'UNAUTHENTICATED');
      expectCspError(await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: 'x.y.z' }), 401, 'UNAUTHENTICATED');
    });

    it('answers 403 SERVICE_ACCOUNT_NOT_ALLOWED for a service account', async () => {
      expectCspError(
        await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: robotToken }),
        403,
        'SERVICE_ACCOUNT_NOT_ALLOWED',
      );
    });

    it('answers 404 for a valid token of a removed user', async () => {
      const gone = await addUser(store);
      await store.admin.removePrincipal(gone.name);
      expectCspError(await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: gone.token }), 404, 'NOT_FOUND');
    });

    it('ignores a query string', async () => {
      expect((await send(url, 'GET', `${CSP_MFA_STATUS_PATH}?x=1`, { token: user.token })).status).toBe(200);
    });
  });

  describe('PATCH mfa', () => {
    it('answers 200 with UpdateMfaResponse and changes the status', async () => {
      const answer = await send(url, 'PATCH', CSP_MFA_PATH, {
        token: user.token,
        body: { password: PASSWORD, turnedOn: true },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ turnedOn: true });
      expect((await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: user.token })).body.turnedOn).toBe(true);
      await send(url, 'PATCH', CSP_MFA_PATH, {
        token: user.token,
        body: { password: PASSWORD, turnedOn: false },
      });
    });

    it('answers 400 PASSWORD_REQUIRED for an empty or missing password', async () => {
      for (const body of [{ password: '', turnedOn: true }, { turnedOn: true }]) {
        expectCspError(
          await send(url, 'PATCH', CSP_MFA_PATH, { token: user.token, body }),
          400,
          'PASSWORD_REQUIRED',
        );
      }
    });

    it('answers 400 INVALID_REQUEST for malformed JSON and mistyped fields', async () => {
      expectCspError(
        await send(url, 'PATCH', CSP_MFA_PATH, { token: user.token, raw: '{"password":' }),
        400,
        'INVALID_REQUEST',
      );
      for (const body of [
        { password: 42, turnedOn: true },
        { password: PASSWORD, turnedOn: 'yes' },
        [1, 2],
      ]) {
        expectCspError(
          await send(url, 'PATCH', CSP_MFA_PATH, { token: user.token, body }),
          400,
          'INVALID_REQUEST',
        );
      }
    });

    it('answers 401 rather than 400 when a malformed body comes without a valid token', async () => {
      expectCspError(await send(url, 'PATCH', CSP_MFA_PATH, { raw: 'not json' }), 401, 'UNAUTHENTICATED');
    });

    it('answers 403 WRONG_PASSWORD for a wrong password', async () => {
      expectCspError(
        await send(url, 'PATCH', CSP_MFA_PATH, {
          token: user.token,
          body: { password: 'nope', turnedOn: true },
        }),
        403,
        'WRONG_PASSWORD',
      );
    });

    it('answers 403 SERVICE_ACCOUNT_NOT_ALLOWED for a service account', async () => {
      expectCspError(
        await send(url, 'PATCH', CSP_MFA_PATH, {
          token: robotToken,
          body: { password: 'x', turnedOn: true },
        }),
        403,
        'SERVICE_ACCOUNT_NOT_ALLOWED',
      );
    });

    it('answers 409 when turning MFA on without an activated device', async () => {
      const bare = await addUser(store, { activated: false });
      expectCspError(
        await send(url, 'PATCH', CSP_MFA_PATH, {
          token: bare.token,
          body: { password: PASSWORD, turnedOn: true },
        }),
        409,
        'CONFLICT',
      );
    });

    it('answers 413 for an oversized body', async () => {
      const answer = await send(url, 'PATCH', CSP_MFA_PATH, {
        token: user.token,
        body: { password: 'x'.repeat(70_000), turnedOn: true },
      });
      expectCspError(answer, 413, 'REQUEST_TOO_LARGE');
    });
  });

  describe('POST audit', () => {
    it('answers 200 with a CSP page, newest first', async () => {
      const answer = await send(url, 'POST', CSP_MFA_AUDIT_PATH, { token: user.token, body: allTime });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ startIndex: 1, itemsPerPage: 20 });
      const results = answer.body.results as { action: string; eventDate: number }[];
      expect(results.length).toBe(answer.body.totalResults);
      expect(results.at(-1)?.action).toBe('MFA_ACTIVATION');
      const dates = results.map((event) => event.eventDate);
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    });

    it.each([
      ['an end before the start', { startDate: 1000, endDate: 999 }, 'END_BEFORE_START'],
      [
        'a start in the future',
        { startDate: Date.UTC(2100, 0, 1), endDate: Date.UTC(2100, 0, 2) },
        'START_IN_FUTURE',
      ],
      ['dates that are not epoch milliseconds', { startDate: '2025-01-01', endDate: 5 }, 'DATE_NOT_EPOCH_MS'],
      ['an unknown action', { ...allTime, actions: ['NOPE'] }, 'UNSUPPORTED_ACTION'],
      [
        'too many event ids',
        { ...allTime, eventIds: Array.from({ length: 21 }, String) },
        'TOO_MANY_FILTER_VALUES',
      ],
      [
        'too many device names',
        { ...allTime, deviceNames: Array.from({ length: 21 }, String) },
        'TOO_MANY_FILTER_VALUES',
      ],
      ['a page window too large', { ...allTime, pageStart: 10_000, pageLimit: 2 }, 'PAGE_WINDOW_TOO_LARGE'],
    ])('answers 400 for %s', async (_label, body, problem) => {
      expectCspError(await send(url, 'POST', CSP_MFA_AUDIT_PATH, { token: user.token, body }), 400, problem);
    });

    it('answers 400 INVALID_REQUEST for a body that is not an object', async () => {
      expectCspError(
        await send(url, 'POST', CSP_MFA_AUDIT_PATH, { token: user.token, raw: '[]' }),
        400,
        'INVALID_REQUEST',
      );
    });

    it('answers 401 before looking at the query', async () => {
      expectCspError(
        await send(url, 'POST', CSP_MFA_AUDIT_PATH, { token: 'bad', body: { startDate: 2, endDate: 1 } }),
        401,
        'UNAUTHENTICATED',
      );
    });
  });

  describe('routing', () => {
    it('answers 404 JSON for an unknown path', async () => {
      expectCspError(
        await send(url, 'GET', '/csp/gateway/am/api/loggedin/user', { token: user.token }),
        404,
        'PATH_NOT_FOUND',
      );
    });

    it('answers 405 with Allow for a wrong method', async () => {
      const answer = await send(url, 'POST', CSP_MFA_STATUS_PATH, { token: user.token, body: {} });
      expectCspError(answer, 405, 'METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe('GET');
    });
  });

  describe('injected faults', () => {
    afterAll(() => {
      fault = undefined;
    });

    it('answers 500 with a CSP body', async () => {
      fault = { kind: 'status', status: 500 };
      expectCspError(await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: user.token }), 500, 'UNEXPECTED');
    });

    it('answers 429 with Retry-After', async () => {
      fault = { kind: 'status', status: 429, retryAfterSeconds: 7 };
      const answer = await send(url, 'GET', CSP_MFA_STATUS_PATH, { token: user.token });
      expectCspError(answer, 429, 'RATE_LIMITED');
      expect(answer.headers.get('retry-after')).toBe('7');
    });

    it('answers with an HTML page like a proxy would', async () => {
      fault = { kind: 'html', status: 502 };
      const response = await fetch(`${url}${CSP_MFA_STATUS_PATH}`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('text/html');
    });

    it('drops the connection', async () => {
      fault = { kind: 'close' };
      await expect(fetch(`${url}${CSP_MFA_STATUS_PATH}`)).rejects.toThrow();
    });
  });
});

describe('CSP simulator over a guarded store', () => {
  it('answers 429 with Retry-After once the failed-attempt guard trips', async () => {
    const store = await openTestStore({ maxFailedAttempts: 1 });
    const { token } = await addUser(store);
    const simulator = createCspSimulator({ store });
    const url = await simulator.listen(0);
    await send(url, 'PATCH', CSP_MFA_PATH, { token, body: { password: 'wrong', turnedOn: true } });
    const answer = await send(url, 'PATCH', CSP_MFA_PATH, {
      token,
      body: { password: PASSWORD, turnedOn: true },
    });
    expectCspError(answer, 429, 'RATE_LIMITED');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    await simulator.close();
    await store.close();
  });

  it('answers 503 once its store is closed', async () => {
    const store = await openTestStore();
    const { token } = await addUser(store);
    const simulator = createCspSimulator({ store });
    const url = await simulator.listen(0);
    await store.close();
    expectCspError(await send(url, 'GET', CSP_MFA_STATUS_PATH, { token }), 503, 'UPSTREAM_UNAVAILABLE');
    await simulator.close();
  });

  it('adds the configured delay to every answer', async () => {
    const store = await openTestStore();
    const { token } = await addUser(store);
    const simulator = createCspSimulator({ store, delayMs: 150 });
    const url = await simulator.listen(0);
    const started = performance.now();
    await send(url, 'GET', CSP_MFA_STATUS_PATH, { token });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    await simulator.close();
    await store.close();
  });
});
