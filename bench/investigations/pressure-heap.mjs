#!/usr/bin/env node
// Investigation (2026-12-02): what makes the gateway's peak RSS at 256 connections with a 20 ms upstream,
// and what does HEAP_GROWTH_PERCENT change? Also: how fair is the service to each connection when the
// gateway is saturated?
// How: the built gateway (dist/src/main.js, production) on CPU 1 with --trace-gc, the bench's upstream stub
// (20 ms delay) on CPU 0; each configuration (--env K=V, e.g. HEAP_GROWTH_PERCENT=0, or a --flag for node)
// started fresh per round, interleaved with the default one, warmed 5 s, then loaded --seconds at
// --connections. Reports CPU µs per answer (the gateway's pid, all threads), peak RSS (VmRSS sampled every
// 50 ms), latency p50/p99/max seen by the client, how many full (mark-compact) collections ran and the
// heap size each started at, and the gateway's own request durations (its /metrics histogram) beside the
// client's. --client node uses one node:http keep-alive agent per connection instead of autocannon and
// also reports the fewest and the most answers any one connection got.
// Run: npm run build && node bench/investigations/pressure-heap.mjs [--seconds 15] [--rounds 2]
//        [--connections 256] [--env HEAP_GROWTH_PERCENT=0] [--client autocannon|node]
// Result (2026-12-02, 2-core VM, 15 s runs): with V8's own growth (HEAP_GROWTH_PERCENT=0) the old generation
// grew to 108–130 MB before each full collection (2–5 in 15 s), each of which left about 30 MB live: peak
// RSS 224–227 MB (167 MB in one run that ended before the heap had grown). With HEAP_GROWTH_PERCENT=100 (the
// default since) full collections start at 60–76 MB (11–14 in 15 s): peak RSS 162–171 MB. CPU per answer:
// 1,263 and 1,052 µs against 1,159 and 937 (autocannon), 972 against 971 (node client): from no difference
// to 10 % more under this sustained overload; at the bench's c=32 no difference (C/G 0.97× and 1.01×).
// Fairness: with autocannon the client's max latency reached 12.7–14.8 s in 3 of 4 runs (p99 2–3.4 s)
// while 99.7–100 % of the gateway's own request durations were under 0.5 s; with one node:http agent per
// connection the max was 0.6 s (7 s once) and each connection got 48–69 answers. So the long waits are
// before the gateway reads a request, on its saturated core, and autocannon's client makes them far
// longer; not resolved.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '../lib/processes.mjs';
import { CLK_TCK, cpuTicks, memory } from '../lib/proc-stats.mjs';
import { BENCH_DIR, REPO_DIR } from '../lib/targets.mjs';
import { printHeaderHelp } from '../lib/header-help.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '256' },
    env: { type: 'string', multiple: true, default: [] },
    client: { type: 'string', default: 'autocannon' },
    help: { type: 'boolean', short: 'h' },
  },
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const BODY = JSON.stringify({
  operationName: 'Bench',
  query:
    'mutation Bench($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } } }',
  variables: { input: { password: 'bench-password', turnedOn: true } },
});
// Every answer is checked against the first one, which must be MfaStatus with turnedOn (as the bench does).
let EXPECTED;

function spawnPinned(cpu, args, env = {}) {
  return spawn('taskset', ['-c', cpu, process.execPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** The stub's port, from the {"port":N} line it prints once listening. */
const portOf = (child) =>
  new Promise((resolve, reject) => {
    let text = '';
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      text += chunk;
      const m = /"port":(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
  });

/** RSS in MB for the peak sampler; 0 once the process is gone. */
const rssMB = (pid) => {
  try {
    return memory(pid).rss / 1048576;
  } catch {
    return 0;
  }
};

function loadAutocannon(port, seconds) {
  let seq = 0;
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `http://127.0.0.1:${port}/graphql`,
        method: 'POST',
        body: BODY,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 60,
        expectBody: EXPECTED,
        setupClient: (c) =>
          c.setHeaders({ 'content-type': 'application/json', 'csp-auth-token': `bench-token-${++seq}` }),
      },
      (err, r) =>
        err
          ? reject(err)
          : resolve({
              answers: r.requests.total,
              bad: r.errors + r.non2xx + r.mismatches + r.timeouts,
              p50: r.latency.p50,
              p99: r.latency.p99,
              max: r.latency.max,
            }),
    ),
  );
}

async function loadNode(port, seconds) {
  let stop = false;
  let bad = 0;
  const latencies = [];
  const perConnection = await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, i) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let answers = 0;
      while (!stop) {
        const started = performance.now();
        const body = await new Promise((resolve, reject) => {
          const req = http.request(
            {
              port,
              host: '127.0.0.1',
              path: '/graphql',
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', 'csp-auth-token': `bench-token-${i}` },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk) => (text += chunk));
              res.on('end', () => resolve(text));
            },
          );
          req.on('error', reject);
          req.end(BODY);
        });
        if (body !== EXPECTED) bad++;
        latencies.push(performance.now() - started);
        answers++;
      }
      agent.destroy();
      return answers;
    }).concat(sleep(seconds * 1000).then(() => ((stop = true), -1))),
  );
  const counts = perConnection.filter((n) => n >= 0).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    answers: latencies.length,
    bad,
    p50: Math.round(at(0.5)),
    p99: Math.round(at(0.99)),
    max: Math.round(latencies.at(-1)),
    fewest: counts[0],
    most: counts.at(-1),
  };
}

/** Polls GET /ready: at LOG_LEVEL=warn the gateway prints nothing when it listens. */
async function ready(port, child) {
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`the gateway on port ${port} did not become ready`);
}

async function measure(stubPort, config) {
  const port = await freePort();
  const gateway = spawnPinned(
    '1',
    ['--trace-gc', ...(config.flags ?? []), path.join(REPO_DIR, 'dist/src/main.js')],
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CSP_BASE_URL: `http://127.0.0.1:${stubPort}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...config.env,
    },
  );
  const fullCollections = [];
  gateway.stdout.on('data', (chunk) => {
    for (const m of String(chunk).matchAll(/Mark-Compact ([\d.]+) \(/g)) fullCollections.push(Number(m[1]));
  });
  await ready(port, gateway);
  EXPECTED = await (
    await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'csp-auth-token': 'bench-token-check' },
      body: BODY,
    })
  ).text();
  if (!EXPECTED.includes('"__typename":"MfaStatus","turnedOn":true'))
    throw new Error(`unexpected answer: ${EXPECTED}`);
  const load = values.client === 'node' ? loadNode : loadAutocannon;
  await load(port, 5);
  fullCollections.length = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMB(gateway.pid))), 50);
  const ticks = cpuTicks(gateway.pid);
  const result = await load(port, SECONDS);
  const cpuUs = ((cpuTicks(gateway.pid) - ticks) * 1e6) / CLK_TCK / result.answers;
  clearInterval(sampler);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const within = (le) =>
    Number(
      new RegExp(
        `^http_server_request_duration_seconds_bucket\\{le="${le}",http_request_method="POST",http_route="/graphql",http_response_status_code="200"\\} (\\d+)`,
        'm',
      ).exec(metrics)?.[1] ?? NaN,
    );
  gateway.kill('SIGTERM');
  return {
    ...result,
    cpuUs,
    peak,
    fullCollections,
    serverUnderHalfSecond: within('0.5') / within('\\+Inf'),
  };
}

if (values.help) {
  // The header above is the documentation.
  printHeaderHelp(import.meta.url);
  process.exit(0);
}

const stub = spawnPinned('0', [path.join(BENCH_DIR, 'upstream-stub.mjs'), '--port', '0', '--delay-ms', '20']);
const stubPort = await portOf(stub);
const configs = [{ name: 'default', env: {} }];
for (const kv of values.env) {
  const eq = kv.indexOf('=');
  configs.push(
    kv.startsWith('--')
      ? { name: kv, env: {}, flags: [kv] }
      : { name: kv, env: { [kv.slice(0, eq)]: kv.slice(eq + 1) } },
  );
}
console.log(
  `c=${CONNECTIONS}, upstream +20 ms, ${SECONDS} s per run, client ${values.client}, gateway pinned to CPU 1`,
);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const config of configs) {
    const r = await measure(stubPort, config);
    const heaps = r.fullCollections.map((mb) => mb.toFixed(0)).join(', ');
    console.log(
      `r${round} ${config.name.padEnd(24)} CPU ${r.cpuUs.toFixed(0)} µs/answer, peak RSS ${r.peak.toFixed(0)} MB, ` +
        `${r.answers} answers (${r.bad} bad), client p50 ${r.p50} p99 ${r.p99} max ${r.max} ms` +
        (r.fewest === undefined ? '' : `, per connection ${r.fewest}–${r.most} answers`) +
        `; gateway durations < 0.5 s: ${(100 * r.serverUnderHalfSecond).toFixed(1)} %; ` +
        `${r.fullCollections.length} full collections, started at ${heaps || '—'} MB`,
    );
  }
}
stub.kill();
