#!/usr/bin/env node
// npm run bench:store: MFA updates per second and p99 through the gateway on each store — SQLite,
// PostgreSQL with one instance, two instances sharing it (and, when redis-server is installed, two
// instances with the brute-force guard in Redis, as a multi-instance deployment runs). Every update
// flips the user's MFA state, so each one writes its change and its audit event. Figures, not
// assertions; see bench/README.md ("Store scenario").
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, installCleanup, killAll, startNodeOnFreePort, stop } from './lib/processes.mjs';
import { CLK_TCK, machineBusyTicks, ticksOf } from './lib/proc-stats.mjs';
import { median } from './lib/report.mjs';
import { BENCH_DIR, REPO_DIR } from './lib/targets.mjs';

const HELP = `Usage: node bench/store.mjs [options]   (npm run bench:store builds first, then runs this)

Measures updateMyMfa through this gateway (dist/src/main.js, production) on the SQLite store, on a
PostgreSQL store with one instance, and with two instances sharing it; each connection is one user
whose MFA state every request flips (one change + one audit event per update).

  --duration S      measured seconds per run (default 6)
  --warmup S        warm-up seconds before each run (default 2)
  --rounds N        runs per scenario, interleaved (default 3)
  --connections N   concurrent connections = users (default 16; split over the instances)
  --pg-url URL      PostgreSQL server (default $MFA_BENCH_PG_URL, else postgres://postgres@127.0.0.1:5432/test);
                    each scenario gets a schema of its own, dropped afterwards
  --no-write        do not write bench/results/store-latest.json
  -h, --help        this text
`;

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    'pg-url': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const positive = (name, value) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const DURATION = positive('duration', opt.duration);
const WARMUP = positive('warmup', opt.warmup);
const ROUNDS = Math.round(positive('rounds', opt.rounds));
const CONNECTIONS = Math.round(positive('connections', opt.connections));
const PG_URL = opt['pg-url'] ?? process.env.MFA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Cheap hashes (the hash records its cost): the figures show the store, not scrypt. The default
// cost is measured once and printed beside them.
const BENCH_SCRYPT = { N: 2 ** 4, r: 8, p: 1 };
const QUERY =
  'mutation Bench($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } } }';

installCleanup();
const STORE = path.join(REPO_DIR, 'dist/src/backend/store');
const { createSqliteStore } = await import(path.join(STORE, 'sqlite-store.js'));
const { createPostgresStore } = await import(path.join(STORE, 'postgres-store.js'));
const { hashPassword, verifyPassword, DEFAULT_SCRYPT_PARAMS } = await import(
  path.join(STORE, 'password-hash.js')
);

const log = (line) => process.stdout.write(`${line}\n`);

async function pgReachable() {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error?.code ?? 'no connection';
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withPg(work) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL schema of its own: { name, url, drop() }. */
async function newSchema() {
  const name = `mfa_bench_${randomBytes(5).toString('hex')}`;
  await withPg((c) => c.query(`CREATE SCHEMA ${name}`));
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { name, url, drop: () => withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)) };
}

/** One user per connection, each with a device (so MFA can be turned on) and a token. */
async function seed(store, users) {
  const seeded = [];
  for (let i = 0; i < users; i++) {
    const name = `bench-${i}@example.com`;
    const password = `bench-password-${i}`;
    await store.admin.addPrincipal({ kind: 'user', name, password });
    await store.admin.activateDevice(name, 'bench phone');
    seeded.push({ name, password, token: await store.admin.mintToken(name, { ttlSeconds: 4 * 3600 }) });
  }
  return seeded;
}

function startGateway(env) {
  return startNodeOnFreePort({ name: 'gateway', cwd: REPO_DIR, readyPath: '/ready' }, (port) => ({
    args: [path.join(REPO_DIR, 'dist/src/main.js')],
    env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ...env },
  }));
}

async function startRedis() {
  let binary;
  try {
    binary = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
  if (!binary) return null;
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      const socket = await new Promise((resolve, reject) => {
        const s = new net.Socket();
        s.once('error', reject);
        s.connect(port, '127.0.0.1', () => resolve(s));
      });
      socket.destroy();
      return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  return null;
}

/**
 * One closed-loop run: one connection per user (one autocannon instance each), the users dealt over
 * the gateways; each connection alternates "on" and "off", so every answered update is an
 * effective change. Counts the __typename of every answer, and keeps every 2xx latency.
 */
async function runOnce(gateways, users, seconds, storePids = async () => []) {
  const latencies = [];
  const answers = {};
  const count = (status, body) => {
    let kind = `HTTP ${status}`;
    try {
      kind = JSON.parse(body).data?.updateMyMfa?.__typename ?? kind;
    } catch {
      // not JSON: counted by its status
    }
    answers[kind] = (answers[kind] ?? 0) + 1;
  };
  // Ours: the gateways, the PostgreSQL backends serving them, this process (the load generator).
  const ours = [...gateways.map((g) => g.pid), ...(await storePids())];
  const busyBefore = machineBusyTicks();
  const oursBefore = ticksOf(ours);
  const selfBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    users.map(
      (user, i) =>
        new Promise((resolve, reject) => {
          const request = (turnedOn) => ({
            method: 'POST',
            path: '/graphql',
            headers: { 'content-type': 'application/json', 'csp-auth-token': user.token },
            body: JSON.stringify({
              query: QUERY,
              variables: { input: { password: user.password, turnedOn } },
            }),
            onResponse: count,
          });
          const instance = autocannon(
            {
              url: `http://127.0.0.1:${gateways[i % gateways.length].port}`,
              connections: 1,
              duration: seconds,
              pipelining: 1,
              timeout: 10,
              sampleInt: 100,
              requests: [request(true), request(false)],
            },
            (err, result) => (err ? reject(err) : resolve(result)),
          );
          instance.on('response', (_client, statusCode, _bytes, responseTime) => {
            if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
          });
        }),
    ),
  );
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
  const busySec = (machineBusyTicks() - busyBefore) / CLK_TCK;
  const self = process.cpuUsage(selfBefore);
  const oursSec = (ticksOf(ours) - oursBefore) / CLK_TCK + (self.user + self.system) / 1e6;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]
      : NaN;
  const updates = answers.MfaStatus ?? 0;
  return {
    updatesPerSec: updates / wallSec,
    p50: pct(50),
    p99: pct(99),
    answers,
    errors: results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
    machineCpuPct: (100 * busySec) / (wallSec * os.cpus().length),
    othersPct: (100 * Math.max(0, busySec - oursSec)) / (wallSec * os.cpus().length),
    // Robust to a busy machine where throughput is not: what one update cost the processes serving it.
    cpuMsPerUpdate: updates ? (1000 * oursSec) / updates : NaN,
  };
}

/** Starts a scenario: its store(s), its users, its gateway processes. */
async function openScenario(scenario) {
  if (scenario.engine === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
    const file = path.join(dir, 'mfa.sqlite');
    const admin = await createSqliteStore({ path: file, scryptParams: BENCH_SCRYPT });
    const users = await seed(admin, CONNECTIONS);
    await admin.close();
    const gateways = [await startGateway({ MFA_STORE_PATH: file })];
    return {
      users,
      gateways,
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = await newSchema();
  const admin = await createPostgresStore({ url: schema.url, scryptParams: BENCH_SCRYPT });
  const users = await seed(admin, CONNECTIONS);
  await admin.close();
  const env = {
    MFA_STORE_URL: schema.url.href,
    ...(scenario.redisUrl ? { RATE_LIMIT_REDIS_URL: scenario.redisUrl } : {}),
  };
  const gateways = [];
  for (let i = 0; i < scenario.instances; i++) gateways.push(await startGateway(env));
  const storePids = () =>
    withPg(async (c) =>
      (await c.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'csp-mfa-graphql'")).rows.map(
        (row) => row.pid,
      ),
    );
  return { users, gateways, storePids, close: () => schema.drop() };
}

async function main() {
  const cpus = os.cpus();
  log(
    `store bench: ${cpus.length} CPU (${cpus[0]?.model ?? '?'}), Node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} rounds × (${WARMUP} s warm-up + ${DURATION} s)`,
  );
  const checkMs = async (params) => {
    const hash = await hashPassword('timing', params);
    const t0 = process.hrtime.bigint();
    await verifyPassword('timing', hash);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const defaultScryptMs = await checkMs(DEFAULT_SCRYPT_PARAMS);
  const benchScryptMs = await checkMs(BENCH_SCRYPT);
  log(
    `password hashes at N=2^4, r=8, p=1 for the bench (one check: ${benchScryptMs.toFixed(1)} ms); one check at the default cost (N=2^15, r=8, p=3) takes ${defaultScryptMs.toFixed(0)} ms here, which alone would bound a core to ~${(1000 / defaultScryptMs).toFixed(1)} updates/s`,
  );

  const pgProblem = await pgReachable();
  const redis = pgProblem ? null : await startRedis();
  const scenarios = [{ id: 'sqlite', name: 'SQLite, 1 instance', engine: 'sqlite', instances: 1 }];
  if (pgProblem) log(`PostgreSQL scenarios skipped: no server at ${new URL(PG_URL).host} (${pgProblem})`);
  else {
    scenarios.push(
      { id: 'pg-1', name: 'PostgreSQL, 1 instance', engine: 'postgres', instances: 1 },
      { id: 'pg-2', name: 'PostgreSQL, 2 instances', engine: 'postgres', instances: 2 },
    );
    if (redis)
      scenarios.push({
        id: 'pg-2-redis',
        name: 'PostgreSQL, 2 instances + Redis guard',
        engine: 'postgres',
        instances: 2,
        redisUrl: redis.url,
      });
    else log('the Redis row is skipped: redis-server is not installed');
  }
  log(
    'PostgreSQL runs on this machine too: it competes with the gateways and the load generator for the same cores.\n',
  );

  const opened = [];
  for (const scenario of scenarios) opened.push({ scenario, ...(await openScenario(scenario)) });
  const runs = Object.fromEntries(scenarios.map((s) => [s.id, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotating order, so no scenario always runs first (cold) or last.
      for (let k = 0; k < opened.length; k++) {
        const o = opened[(round + k) % opened.length];
        await runOnce(o.gateways, o.users, WARMUP);
        const run = await runOnce(o.gateways, o.users, DURATION, o.storePids);
        runs[o.scenario.id].push(run);
        log(
          `  round ${round + 1} ${o.scenario.name.padEnd(40)} ${run.updatesPerSec.toFixed(0).padStart(6)} updates/s  p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms  CPU ${run.cpuMsPerUpdate.toFixed(2)} ms/update  machine CPU ${run.machineCpuPct.toFixed(0)} % (others ${run.othersPct.toFixed(0)} %)  answers ${JSON.stringify(run.answers)}`,
        );
      }
    }
  } finally {
    for (const o of opened) {
      for (const gateway of o.gateways) await stop(gateway);
      await o.close();
    }
    redis?.stop();
  }

  const summary = scenarios.map((s) => {
    const rs = runs[s.id];
    return {
      id: s.id,
      scenario: s.name,
      updatesPerSec: Math.round(median(rs.map((r) => r.updatesPerSec))),
      p50Ms: Number(median(rs.map((r) => r.p50)).toFixed(1)),
      p99Ms: Number(median(rs.map((r) => r.p99)).toFixed(1)),
      cpuMsPerUpdate: Number(median(rs.map((r) => r.cpuMsPerUpdate)).toFixed(2)),
      machineCpuPct: Math.round(median(rs.map((r) => r.machineCpuPct))),
      othersPctMax: Math.round(Math.max(...rs.map((r) => r.othersPct))),
      notMfaStatus: rs.reduce(
        (n, r) =>
          n +
          Object.entries(r.answers)
            .filter(([k]) => k !== 'MfaStatus')
            .reduce((m, [, v]) => m + v, 0),
        0,
      ),
    };
  });
  log(
    '\n| scenario | updates/s | p50 ms | p99 ms | CPU ms/update | machine CPU | others (max) | answers other than MfaStatus |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of summary) {
    log(
      `| ${s.scenario} | ${s.updatesPerSec} | ${s.p50Ms} | ${s.p99Ms} | ${s.cpuMsPerUpdate} | ${s.machineCpuPct} % | ${s.othersPctMax} % | ${s.notMfaStatus} |`,
    );
  }
  log(
    `\nmedians over ${ROUNDS} rounds; CPU ms/update: CPU time of the gateways, the PostgreSQL backends serving them and the load generator per answered update; machine CPU: both cores, everything on them; others: what was not the gateways, the PostgreSQL backends serving them or the load generator (PostgreSQL's own background writers and Redis count here too)`,
  );

  if (!opt['no-write']) {
    const dir = path.join(BENCH_DIR, 'results');
    mkdirSync(dir, { recursive: true });
    const record = {
      kind: 'store',
      at: new Date().toISOString(),
      machine: { cpus: cpus.length, model: cpus[0]?.model, node: process.version },
      settings: {
        durationSec: DURATION,
        warmupSec: WARMUP,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        scrypt: BENCH_SCRYPT,
        benchScryptMs,
        defaultScryptMs,
      },
      summary,
      runs,
    };
    const file = path.join(dir, 'store-latest.json');
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    log(`written: ${path.relative(REPO_DIR, file)}`);
  }
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`bench:store FAILED: ${error?.stack ?? error}\n`);
    killAll(true);
    process.exit(1);
  },
);
