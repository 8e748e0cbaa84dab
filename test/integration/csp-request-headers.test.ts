import { describe, expect, it } from '@jest/globals';
import { AUDIT_PATH, PATCH_PATH, STATUS_PATH, type RecordedRequest } from '../helpers/fake-csp.js';
import { startGateway } from '../helpers/gateway.js';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { MY_MFA, MY_MFA_AUDIT_LOG, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';

// The CSP client normalizes got's options once per endpoint and gives each call a clone: these pin what
// every call still carries, and that nothing of one call (token, request id, body) reaches the next.
const { csp, gateway } = useGatewayOnFakeCsp({ CSP_TIMEOUT_MS: '400' });

const OPERATIONS = [
  { name: 'updateMyMfa', query: UPDATE_MY_MFA, variables: { input: { password: 'pw-1', turnedOn: true } } },
  { name: 'myMfa', query: MY_MFA, variables: {} },
  {
    name: 'myMfaAuditLog',
    query: MY_MFA_AUDIT_LOG,
    variables: { input: { startDate: 1_767_000_000_000, endDate: 1_767_300_000_000 } },
  },
] as const;

async function run(operation: (typeof OPERATIONS)[number], token: string, requestId: string): Promise<void> {
  const answer = await gateway.graphql(operation.query, operation.variables, {
    'csp-auth-token': token,
    'x-request-id': requestId,
  });
  expect(answer.body.errors).toBeUndefined();
}

function expectOwnHeaders(sent: RecordedRequest | undefined, token: string, requestId: string): void {
  expect(sent?.headers['csp-auth-token']).toBe(token);
  expect(sent?.headers['x-request-id']).toBe(requestId);
  expect(sent?.headers.accept).toBe('application/json');
  expect(sent?.headers['user-agent']).toBe('csp-mfa-graphql');
  expect(sent?.headers['accept-encoding']).toBeUndefined();
  if (sent?.method === 'GET') {
    expect(sent.headers['content-type']).toBeUndefined();
    expect(sent.body).toBe('');
  } else {
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['content-length']).toBe(String(Buffer.byteLength(sent?.body ?? '')));
  }
}

describe('what each call to CSP carries', () => {
  it.each(OPERATIONS)('$name sends its own token, request id and body to its path', async (operation) => {
    await run(operation, userJwt({ sub: 'first' }), 'req-first');
    await run(operation, userJwt({ sub: 'second' }), 'req-second');
    expect(csp.requests.length).toBeGreaterThanOrEqual(2);
    const half = csp.requests.length / 2;
    const first = csp.requests.slice(0, half);
    const second = csp.requests.slice(half);
    for (const sent of first) expectOwnHeaders(sent, userJwt({ sub: 'first' }), 'req-first');
    for (const sent of second) expectOwnHeaders(sent, userJwt({ sub: 'second' }), 'req-second');
    expect(first.map((r) => `${r.method} ${r.path}`)).toEqual(second.map((r) => `${r.method} ${r.path}`));
    for (const sent of csp.requests) expect([PATCH_PATH, STATUS_PATH, AUDIT_PATH]).toContain(sent.path);
  });

  it('sends concurrent calls each with its own token and body', async () => {
    const tokens = Array.from({ length: 8 }, (_, i) => userJwt({ sub: `user-${i}` }));
    await Promise.all(
      tokens.map((token, i) =>
        gateway.graphql(
          UPDATE_MY_MFA,
          { input: { password: `pw-${i}`, turnedOn: i % 2 === 0 } },
          { 'csp-auth-token': token, 'x-request-id': `req-${i}` },
        ),
      ),
    );
    const patches = csp.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(tokens.length);
    for (const sent of patches) {
      const i = Number(sent.headers['x-request-id']?.toString().slice('req-'.length));
      expect(sent.headers['csp-auth-token']).toBe(tokens[i]);
      expect(JSON.parse(sent.body)).toEqual({ password: `pw-${i}`, turnedOn: i % 2 === 0 });
    }
  });
});

describe('a CSP base URL with a path prefix', () => {
  it('keeps the prefix in front of every CSP path', async () => {
    const behindProxy = await startGateway({ CSP_BASE_URL: `${csp.url}/mount/point` });
    try {
      await behindProxy.graphql(MY_MFA, {}, { 'csp-auth-token': userJwt() });
      expect(csp.requests.map((r) => r.path)).toEqual([`/mount/point${STATUS_PATH}`]);
    } finally {
      await behindProxy.close();
    }
  });
});
