/**
 * SIGTERM against the built process: the stop always ends within SHUTDOWN_TIMEOUT_MS, with Redis
 * unreachable, upstream keep-alive sockets open and a request hanging on the upstream. Needs
 * `npm run build` first. Every wait is bounded; none measures speed.
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hang, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { MY_MFA, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { startProcess, type GatewayProcess } from '../helpers/process.js';

const GRACE_MS = 300;
const TIMEOUT_MS = 2_000;
/** Room for a loaded machine to schedule the exit; the process itself gives up at TIMEOUT_MS. */
const SLACK_MS = 5_000;

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The exit code, or 'still running' when the process has not exited within `ms` (then it is killed). */
async function exitWithin(gateway: GatewayProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>(
    (resolve) => (timer = setTimeout(() => resolve('still running'), ms)),
  );
  const outcome = await Promise.race([gateway.exited(), late]);
  clearTimeout(timer);
  if (outcome === 'still running') gateway.child.kill('SIGKILL');
  return outcome;
}

function post(
  gateway: GatewayProcess,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Response> {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
    body: JSON.stringify({ query, variables }),
  });
}

let csp: FakeCsp;
let redisUrl: string;

beforeAll(async () => {
  csp = await startFakeCsp();
  redisUrl = `redis://127.0.0.1:${await closedPort()}`;
});

afterAll(async () => {
  await csp.close();
});

describe('shutdown on SIGTERM', () => {
  it('exits 0 within the bound while Redis is unreachable', async () => {
    const gateway = await startProcess({
      CSP_BASE_URL: csp.url,
      RATE_LIMIT_REDIS_URL: redisUrl,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    gateway.child.kill('SIGTERM');
    expect(await exitWithin(gateway, TIMEOUT_MS + SLACK_MS)).toBe(0);
    expect(gateway.stdout.join('')).toContain('"msg":"stopped"');
  });

  it('exits 0 within the bound with upstream keep-alive sockets open and a request hanging upstream', async () => {
    const gateway = await startProcess({
      CSP_BASE_URL: csp.url,
      CSP_TIMEOUT_MS: '60000',
      RATE_LIMIT_REDIS_URL: redisUrl,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    try {
      // Leaves a keep-alive socket from the gateway to the upstream.
      expect((await post(gateway, MY_MFA)).status).toBe(200);
      csp.onPatch(hang);
      const patches = csp.requests.filter((r) => r.method === 'PATCH').length;
      const inFlight = post(gateway, UPDATE_MY_MFA, { input: { password: 'p', turnedOn: true } }).then(
        (response) => response.status,
        () => 'connection closed',
      );
      while (csp.requests.filter((r) => r.method === 'PATCH').length === patches) {
        await new Promise((r) => setTimeout(r, 10));
      }
      gateway.child.kill('SIGTERM');
      expect(await exitWithin(gateway, TIMEOUT_MS + SLACK_MS)).toBe(0);
      // Past the grace period the hanging request's connection is closed, not answered.
      expect(await inFlight).toBe('connection closed');
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });
});
