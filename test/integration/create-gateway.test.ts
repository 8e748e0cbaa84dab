/**
 * createGateway, the public entry: a backend object of one's own is served behind the same guards as the
 * built-in ones, the settings are checked by the command's rules, and every way the start can fail is a
 * GatewayStartError with its code.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import {
  createGateway,
  fail,
  GatewayStartError,
  succeed,
  type GatewaySettings,
  type MfaBackend,
  type MfaGateway,
} from '../../src/index.js';
import { userJwt } from '../helpers/operations.js';

const LOCAL = { PORT: 0, HOST: '127.0.0.1' } as const;

/** A backend that counts its calls; its answers are scripted per test. */
function scriptedBackend(overrides: Partial<MfaBackend> = {}) {
  const calls = { updateMfa: 0, getMfaStatus: 0, close: 0 };
  const backend: MfaBackend = {
    kind: 'scripted',
    async updateMfa(call) {
      calls.updateMfa++;
      return fail({ code: 'WRONG_PASSWORD', requestId: call.requestId });
    },
    async getMfaStatus() {
      calls.getMfaStatus++;
      return succeed({ turnedOn: true, activated: true, username: 'alice@example.com' });
    },
    async getMfaAudit(call) {
      return fail({ code: 'NOT_FOUND', requestId: call.requestId });
    },
    async isReady() {
      return true;
    },
    async close() {
      calls.close++;
    },
    ...overrides,
  };
  return { backend, calls };
}

/** A log destination that keeps the lines written to it; `messages()` is their `msg` fields. */
function logSink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { destination, messages: () => lines.map((l) => (JSON.parse(l) as { msg: string }).msg) };
}

async function post(gateway: MfaGateway, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(gateway.address?.graphqlUrl ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'csp-auth-token': token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, Record<string, unknown>> };
}

const UPDATE = `mutation ($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) {
  __typename ... on MfaError { code } } }`;

async function startError(start: Promise<unknown>): Promise<GatewayStartError> {
  const error = await start.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayStartError);
  return error as GatewayStartError;
}

describe('createGateway with a backend object', () => {
  it('serves it behind the brute-force guard: the sixth wrong password never reaches it', async () => {
    const { backend, calls } = scriptedBackend();
    const gateway = await createGateway({ backend, settings: LOCAL, log: { level: 'silent' } });
    expect(gateway.backendKind).toBe('scripted');
    await gateway.listen();
    try {
      const token = userJwt({ sub: 'vmwareid:create-gateway-guard' });
      const answers = [];
      for (let i = 0; i < 6; i++) {
        const body = await post(gateway, UPDATE, { input: { password: 'guess', turnedOn: true } }, token);
        answers.push(body.data?.updateMyMfa?.__typename);
      }
      expect(answers).toEqual([...Array(5).fill('MfaWrongPasswordError'), 'MfaRateLimitedError']);
      expect(calls.updateMfa).toBe(5);
    } finally {
      await gateway.close();
    }
    expect(calls.close).toBe(1);
  });

  it('scrubs an answer of its that echoes the caller’s token', async () => {
    const token = userJwt({ sub: 'vmwareid:create-gateway-scrub' });
    const { backend } = scriptedBackend({
      async getMfaStatus(call) {
        return succeed({ turnedOn: false, username: call.token, deviceName: `device of ${call.token}` });
      },
    });
    const gateway = await createGateway({ backend, settings: LOCAL, log: { level: 'silent' } });
    await gateway.listen();
    try {
      const body = await post(
        gateway,
        '{ myMfa { __typename ... on MfaStatus { turnedOn username deviceName } } }',
        {},
        token,
      );
      expect(body.data?.myMfa).toEqual({
        __typename: 'MfaStatus',
        turnedOn: false,
        username: null,
        deviceName: null,
      });
    } finally {
      await gateway.close();
    }
  });

  it('writes its log lines where it is told', async () => {
    const { destination, messages } = logSink();
    const gateway = await createGateway({
      backend: scriptedBackend().backend,
      settings: LOCAL,
      log: { level: 'debug', destination },
    });
    const address = await gateway.listen();
    await fetch(`${address.url}/health`);
    await gateway.close();
    expect(messages()).toContain('request finished');
  });

  it("tells a backend that the client went away, by cancellation and by signal; a listener's throw is logged, not fatal", async () => {
    const { destination, messages } = logSink();
    let told = { cancellation: false, signal: false };
    let started: () => void = () => undefined;
    const inCall = new Promise<void>((resolve) => (started = resolve));
    const { backend } = scriptedBackend({
      updateMfa: (call) =>
        new Promise((resolve) => {
          call.signal?.addEventListener('abort', () => (told = { ...told, signal: true }));
          call.cancellation?.onCancel(() => {
            told = { ...told, cancellation: true };
            resolve(fail({ code: 'UPSTREAM_UNAVAILABLE', requestId: call.requestId }));
            throw new Error('a backend bug in its listener');
          });
          started();
        }),
    });
    const gateway = await createGateway({ backend, settings: LOCAL, log: { level: 'warn', destination } });
    try {
      const address = await gateway.listen();
      const client = new AbortController();
      const pending = fetch(address.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
        body: JSON.stringify({ query: UPDATE, variables: { input: { password: 'p', turnedOn: true } } }),
        signal: client.signal,
      }).catch(() => 'aborted');
      await inCall;
      client.abort();
      expect(await pending).toBe('aborted');
      for (let i = 0; i < 100 && !told.cancellation; i++) await new Promise((r) => setTimeout(r, 10));
      expect(told).toEqual({ cancellation: true, signal: true });
      expect((await fetch(`${address.url}/health`)).status).toBe(200);
      expect(messages()).toContain('cancelling the backend calls failed');
    } finally {
      await gateway.close();
    }
  });

  it('closes a backend it refuses because isReady() answers false', async () => {
    const { backend, calls } = scriptedBackend({ isReady: async () => false });
    const error = await startError(createGateway({ backend, settings: LOCAL }));
    expect(error.code).toBe('BACKEND_NOT_READY');
    expect(calls.close).toBe(1);
  });

  it('refuses an object that is no backend (from JavaScript, where no type checked it)', async () => {
    const notABackend = {
      kind: 'x',
      updateMfa: async () => succeed({ turnedOn: true }),
    } as unknown as MfaBackend;
    const error = await startError(createGateway({ backend: notABackend, settings: LOCAL }));
    expect(error.code).toBe('BACKEND_INVALID');
  });
});

describe('createGateway settings', () => {
  it.each<[string, GatewaySettings, number]>([
    ['a value out of range', { PORT: 99_999 }, 1],
    ['two bad values, one problem each', { PORT: -1, CSP_TIMEOUT_MS: 'soon' }, 2],
    ['WORKERS, which only the command runs', { WORKERS: 2 }, 1],
  ])('refuses %s: SETTINGS_INVALID with one problem per setting', async (_case, settings, problems) => {
    const error = await startError(createGateway({ settings: { ...LOCAL, ...settings } }));
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.problems).toHaveLength(problems);
  });

  it('refuses a name that is not a setting', async () => {
    const settings = { ...LOCAL, CSP_BASE_URI: 'https://console.cloud.vmware.com' } as GatewaySettings;
    const error = await startError(createGateway({ settings }));
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.problems).toHaveLength(1);
  });

  it('refuses a backend object together with a setting that picks another backend', async () => {
    const error = await startError(
      createGateway({
        backend: scriptedBackend().backend,
        settings: { ...LOCAL, CSP_BASE_URL: 'https://console.cloud.vmware.com' },
      }),
    );
    expect(error.code).toBe('SETTINGS_INVALID');
  });
});
