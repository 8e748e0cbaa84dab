#!/usr/bin/env node
// Investigation (2026-12-02): what makes the gateway's p99 at c=1 many times its p50?
// How: the built gateway (dist/src/main.js, production, as the bench runs it) on CPU 1 with --trace-gc, the
// bench's upstream stub and this load generator on CPU 0 (as the bench pins them); primed at c=32, then
// c=1 runs of --seconds each. For each run it prints p50, mean, p99 and max, how many answers took over
// 3× the p50, and the GC pauses the gateway logged during the run (count, total, longest), so a tail that
// GC explains shows as slow answers ≈ pauses. Each --env adds a configuration measured in the same rounds
// (e.g. --env METRICS_PORT=off, --env --single-threaded-gc for a node flag), and the floor proxy runs
// too, as the reference for what this machine's scheduling alone costs.
// Run: npm run build && node bench/investigations/c1-tail.mjs [--seconds 5] [--rounds 3] [--env K=V ...] [--build DIR ...]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BENCH_DIR, REPO_DIR } from '../lib/targets.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    env: { type: 'string', multiple: true, default: [] },
    // Another build (a checkout with dist/), measured beside this one, e.g. main's.
    build: { type: 'string', multiple: true, default: [] },
  },
});

function start(name, args, env, cpu) {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let port;
  let buffer = '';
  const ready = new Promise((resolve, reject) => {
    child.on(
      'exit',
      (code) =>
        port || child.killed || reject(new Error(`${name} exited (${code}): ${lines.slice(-5).join('\n')}`)),
    );
    const onData = (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        lines.push(line);
        const m = /"port":(\d+)|listening on .*:(\d+)|^(\d+)$|"url":"http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (!port && m) {
          port = Number(m[1] ?? m[2] ?? m[3] ?? m[4]);
          resolve(port);
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
  });
  return { child, lines, ready };
}

const freePort = async () => {
  const net = await import('node:net');
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
};

const BODY = JSON.stringify({
  operationName: 'Bench',
  query:
    'mutation Bench($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } } }',
  variables: { input: { password: 'bench-password', turnedOn: true } },
});

function load(port, connections, seconds) {
  return new Promise((resolve, reject) => {
    const lat = [];
    let seq = 0;
    const inst = autocannon(
      {
        url: `http://127.0.0.1:${port}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csp-auth-token': 'bench-token' },
        body: BODY,
        connections,
        duration: seconds,
        sampleInt: 100,
        setupClient: (c) =>
          c.setHeaders({ 'content-type': 'application/json', 'csp-auth-token': `bench-token-${++seq}` }),
      },
      (err, r) => (err ? reject(err) : resolve({ lat, errors: r.errors + r.non2xx + r.timeouts })),
    );
    inst.on('response', (_c, status, _b, t) => status === 200 && lat.push(t));
  });
}

const gcPauses = (lines) =>
  lines
    .map((l) => /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*?, ([\d.]+) \/ [\d.]+ ms/.exec(l))
    .filter(Boolean)
    .map((m) => ({ kind: m[1], ms: Number(m[2]) }));

const stub = start('stub', [path.join(BENCH_DIR, 'upstream-stub.mjs'), '--port', '0'], {}, '0');
const stubPort = await stub.ready;
const configs = [{ name: 'gateway', env: {} }];
for (const kv of values.env) {
  const [k, ...v] = kv.split('=');
  // A V8 flag NODE_OPTIONS does not take (e.g. --single-threaded-gc) goes on the command line.
  configs.push(
    kv.startsWith('--') ? { name: kv, env: {}, flags: [kv] } : { name: kv, env: { [k]: v.join('=') } },
  );
}
for (const dir of values.build) configs.push({ name: `build ${dir}`, env: {}, dir });
const servers = [];
for (const c of configs) {
  const port = await freePort();
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CSP_BASE_URL: `http://127.0.0.1:${stubPort}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...c.env,
  };
  const s = start(
    c.name,
    ['--trace-gc', ...(c.flags ?? []), path.join(c.dir ?? REPO_DIR, 'dist/src/main.js')],
    env,
    '1',
  );
  s.child.stdout.removeAllListeners('data');
  s.child.stdout.on('data', (chunk) => s.lines.push(...chunk.split('\n')));
  servers.push({ ...c, port, s });
}
const floorPort = await freePort();
const floor = start(
  'floor',
  [
    path.join(BENCH_DIR, 'floor-proxy.mjs'),
    '--port',
    String(floorPort),
    '--upstream',
    `http://127.0.0.1:${stubPort}`,
  ],
  {},
  '1',
);
servers.push({ name: 'floor proxy', port: floorPort, s: floor, floor: true });
for (const srv of servers) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${srv.port}/health`)).status < 500) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  await load(srv.port, 32, srv.floor ? 3 : 8);
}
const rows = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const srv of servers) {
    const before = srv.s.lines.length;
    const { lat, errors } = await load(srv.port, 1, Number(values.seconds));
    await new Promise((r) => setTimeout(r, 50));
    const pauses = gcPauses(srv.s.lines.slice(before));
    lat.sort((a, b) => a - b);
    const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
    const p50 = p(0.5);
    rows.push({
      round,
      name: srv.name,
      n: lat.length,
      errors,
      p50,
      mean: lat.reduce((a, b) => a + b, 0) / lat.length,
      p99: p(0.99),
      max: lat.at(-1),
      slow: lat.filter((t) => t > 3 * p50).length,
      gc: pauses.length,
      reqPerGc: lat.length / Math.max(1, pauses.length),
      gcMs: pauses.reduce((a, b) => a + b.ms, 0),
      gcMax: Math.max(0, ...pauses.map((x) => x.ms)),
      gcKinds: [...new Set(pauses.map((x) => x.kind))].join('+'),
    });
    const r = rows.at(-1);
    console.log(
      `r${round} ${r.name.padEnd(40)} n ${String(r.n).padStart(5)} p50 ${r.p50.toFixed(2)} mean ${r.mean.toFixed(2)} p99 ${r.p99.toFixed(2)} max ${r.max.toFixed(1)} ms | >3×p50: ${r.slow} | GC pauses ${r.gc}, one per ${r.reqPerGc.toFixed(0)} answers (${r.gcMs.toFixed(0)} ms, longest ${r.gcMax.toFixed(1)} ms ${r.gcKinds}) errors ${r.errors}`,
    );
  }
}
for (const srv of servers) srv.s.child.kill();
stub.child.kill();
