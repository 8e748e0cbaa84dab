/**
 * WORKERS=2 through the real process: one port served by two worker processes, the brute-force count
 * shared between them (kept by the primary; or in Redis), a worker that dies replaced, SIGTERM stopping
 * every process, and a worker that cannot start stopping the start. Which worker answered is read from
 * the log: every worker line carries its pid, and each request's line its request id.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { cspError, json, PATCH_PATH, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { MAIN, runToExit } from '../helpers/process.js';
import { parsePrometheusText, type Exposition } from '../helpers/prometheus-text.js';
import {
  freePort,
  redisServerPath,
  startRedis,
  type RedisProcess,
} from '../hardening/support/redis-server.js';

interface LogLine {
  readonly msg: string;
  readonly pid?: number;
  readonly worker?: number;
  readonly port?: number;
  readonly workers?: number;
  readonly requestId?: string;
}

interface Cluster {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly lines: LogLine[];
  readonly stderr: string[];
  exited(): Promise<number | null>;
  /** Waits (bounded) for a log line that `match` accepts. */
  waitFor(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
}

const running: Cluster[] = [];

/** Starts `node dist/src/main.js` with WORKERS=2; resolves once the primary logs that every worker listens. */
function startCluster(env: Record<string, string>): Promise<Cluster> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      WORKERS: '2',
      LOG_LEVEL: 'debug',
      ...env,
    },
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  const waiters: Array<() => void> = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const waitFor = (match: (line: LogLine) => boolean, what: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} in time: ${stderr.join('')}`)), 20_000);
      const check = () => {
        const found = lines.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      void exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited before ${what}: ${stderr.join('')}`));
      });
      check();
    });

  return (async () => {
    const line = await waitFor((l) => l.msg === 'listening' && l.workers === 2, "the primary's 'listening'");
    // Each process writes its own lines: the workers' may come through after the primary's.
    await waitFor(() => lines.filter((l) => l.msg === 'worker listening').length === 2, 'both workers');
    const cluster = { child, port: line.port ?? 0, lines, stderr, exited: () => exit, waitFor };
    running.push(cluster);
    return cluster;
  })();
}

let seq = 0;

/** One request on a connection of its own, so node:cluster hands each to the next worker in turn. */
function send(
  cluster: Cluster,
  token: string,
  password: string,
): Promise<{ requestId: string; typename: string }> {
  const requestId = `workers-test-${process.pid}-${++seq}`;
  const body = JSON.stringify({ query: UPDATE_MY_MFA, variables: { input: { password, turnedOn: true } } });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: cluster.port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'csp-auth-token': token,
          'x-request-id': requestId,
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => {
          const answer = JSON.parse(text) as { data?: { updateMyMfa?: { __typename: string } } };
          resolve({ requestId, typename: answer.data?.updateMyMfa?.__typename ?? text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** GET /metrics on a connection of its own (so scrapes go to both workers in turn), with its request id. */
function scrapeOnce(
  cluster: Cluster,
  path = '/metrics',
): Promise<{ requestId: string; exposition: Exposition }> {
  const requestId = `workers-scrape-${process.pid}-${++seq}`;
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: cluster.port,
        path,
        agent: false,
        headers: { 'x-request-id': requestId, connection: 'close' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
          resolve({ requestId, exposition: parsePrometheusText(text) });
        });
      },
    );
    req.on('error', reject);
  });
}

/** The sum of every sample of `name` whose labels include `labels`. */
const total = (exposition: Exposition, name: string, labels: Record<string, string> = {}) =>
  exposition.find(name, labels).reduce((sum, sample) => sum + sample.value, 0);

/** The pid of the worker that logged the request's 'request finished' line. */
const servedBy = (cluster: Cluster, requestId: string) =>
  cluster.waitFor(
    (l) => l.msg === 'request finished' && l.requestId === requestId,
    `the line of ${requestId}`,
  );

const workerPids = (cluster: Cluster) =>
  new Set(cluster.lines.filter((l) => l.msg === 'worker listening').map((l) => l.pid));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let csp: FakeCsp;

beforeAll(async () => {
  csp = await startFakeCsp();
});

afterEach(async () => {
  // A cluster a failed test left behind: its primary takes its workers with it.
  for (const cluster of running.splice(0)) {
    if (cluster.child.exitCode === null) cluster.child.kill('SIGKILL');
    await cluster.exited();
    for (const pid of workerPids(cluster))
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  csp.onPatch(json(200, { turnedOn: true }));
  csp.requests.length = 0;
});

afterAll(async () => {
  await csp.close();
});

const patches = () => csp.requests.filter((r) => r.method === 'PATCH' && r.path === PATCH_PATH).length;

/** `count` updates with the right password, each on its own connection; every answer MfaStatus. The pids that served them. */
async function rightUpdates(cluster: Cluster, count: number): Promise<Set<number | undefined>> {
  const answers = [];
  for (let i = 0; i < count; i++) answers.push(await send(cluster, userJwt(), 'right'));
  expect(answers.map((a) => a.typename)).toEqual(Array(count).fill('MfaStatus'));
  return new Set(await Promise.all(answers.map(async (a) => (await servedBy(cluster, a.requestId)).pid)));
}

/** Five wrong passwords spread over both workers, then a sixth: refused by the shared count, without an upstream call. */
async function expectSharedCount(cluster: Cluster): Promise<void> {
  csp.onPatch(cspError(403));
  const token = userJwt({ sub: `vmwareid:workers-${process.pid}-${++seq}` });
  const wrong = [];
  for (let i = 0; i < 5; i++) wrong.push(await send(cluster, token, 'guess'));
  expect(wrong.map((a) => a.typename)).toEqual(Array(5).fill('MfaWrongPasswordError'));
  const pids = new Set(await Promise.all(wrong.map(async (a) => (await servedBy(cluster, a.requestId)).pid)));
  expect(pids.size).toBe(2);
  expect((await send(cluster, token, 'guess')).typename).toBe('MfaRateLimitedError');
  expect(patches()).toBe(5);
}

describe('WORKERS=2', () => {
  it('serves one port from two worker processes, neither of them the primary', async () => {
    const cluster = await startCluster({ CSP_BASE_URL: csp.url });
    const pids = await rightUpdates(cluster, 4);
    expect(pids.size).toBe(2);
    expect(pids.has(cluster.child.pid)).toBe(false);
  });

  it('answers GET /metrics with the sum over both workers, whichever worker gets the scrape', async () => {
    const cluster = await startCluster({ CSP_BASE_URL: csp.url });
    expect((await rightUpdates(cluster, 6)).size).toBe(2);

    const scrapes = [];
    for (let i = 0; i < 4; i++) scrapes.push(await scrapeOnce(cluster));
    for (const { exposition } of scrapes) {
      expect(
        total(exposition, 'graphql_operations_total', {
          graphql_root_field: 'updateMyMfa',
          outcome: 'MfaStatus',
        }),
      ).toBe(6);
      expect(
        total(exposition, 'http_client_request_duration_seconds_count', { http_request_method: 'PATCH' }),
      ).toBe(6);
      expect(
        total(exposition, 'http_server_request_duration_seconds_count', { http_route: '/graphql' }),
      ).toBe(6);
      // One series per name: the workers' samples are summed, not listed side by side.
      expect(exposition.find('graphql_operations_total', { outcome: 'MfaStatus' })).toHaveLength(1);
    }
    const scrapedBy = new Set(
      await Promise.all(scrapes.map(async (s) => (await servedBy(cluster, s.requestId)).pid)),
    );
    expect(scrapedBy.size).toBe(2);
  });

  it('keeps one brute-force count for both workers (in the primary): the sixth wrong password is refused', async () => {
    const cluster = await startCluster({ CSP_BASE_URL: csp.url });
    expect(cluster.lines.find((l) => l.msg === 'listening')).toMatchObject({ bruteForceCounts: 'cluster' });
    await expectSharedCount(cluster);
  });

  it('replaces a worker that dies, and keeps serving on the same port', async () => {
    const cluster = await startCluster({ CSP_BASE_URL: csp.url });
    const [victim] = [...workerPids(cluster)];
    if (victim === undefined) throw new Error('no worker pid logged');
    process.kill(victim, 'SIGKILL');
    await cluster.waitFor(
      (l) => l.msg === 'worker exited unexpectedly; starting another',
      'the restart line',
    );
    const replacement = await cluster.waitFor(
      (l) => l.msg === 'worker listening' && l.pid !== victim && (l.worker ?? 0) > 2,
      'a replacement worker',
    );
    expect(replacement.port).toBe(cluster.port);
    await rightUpdates(cluster, 4);
  });

  it('stops every process on SIGTERM and exits 0', async () => {
    const cluster = await startCluster({ CSP_BASE_URL: csp.url });
    const pids = [...workerPids(cluster)];
    expect(pids).toHaveLength(2);
    cluster.child.kill('SIGTERM');
    expect(await cluster.exited()).toBe(0);
    expect(pids.filter((pid) => pid !== undefined && isAlive(pid))).toEqual([]);
    expect(cluster.lines.filter((l) => l.msg === 'stopped')).toHaveLength(3);
  });

  it('stops the start when a worker cannot start: exit 1, its one line on stderr', async () => {
    const run = await runToExit({
      PORT: '0',
      HOST: '127.0.0.1',
      WORKERS: '2',
      MFA_BACKEND_MODULE: '/nonexistent/backend.mjs',
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining('[BACKEND_MODULE_NOT_FOUND]')]);
  });

  describe('with RATE_LIMIT_REDIS_URL', () => {
    const binary = redisServerPath();
    let redis: RedisProcess | undefined;

    beforeAll(async () => {
      if (!binary) {
        console.log('skipping WORKERS with Redis: redis-server is not installed');
        return;
      }
      redis = await startRedis(binary);
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('keeps one count for both workers in the primary while Redis is unreachable', async () => {
      const nobody = `redis://127.0.0.1:${await freePort()}`;
      const cluster = await startCluster({ CSP_BASE_URL: csp.url, RATE_LIMIT_REDIS_URL: nobody });
      await expectSharedCount(cluster);
    });

    it('keeps one brute-force count for both workers (in Redis)', async () => {
      if (!redis) return;
      const cluster = await startCluster({ CSP_BASE_URL: csp.url, RATE_LIMIT_REDIS_URL: redis.url });
      expect(cluster.lines.find((l) => l.msg === 'listening')).toMatchObject({ bruteForceCounts: 'redis' });
      await expectSharedCount(cluster);
    });
  });
});
