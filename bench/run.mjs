#!/usr/bin/env node
// npm run bench: this gateway (C) against a real peer (B, Hive Gateway + Mesh), a no-GraphQL floor
// (D) and the direct upstream call (A), in one run, interleaved, on loopback. See bench/README.md.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pinningUnavailableReason, setAffinity } from './lib/affinity.mjs';
import { runLoad } from './lib/load.mjs';
import { installCleanup, killAll, stop } from './lib/processes.mjs';
import { CLK_TCK, cpuTicks, machineBusyTicks, resetPeak, sample, ticksOf } from './lib/proc-stats.mjs';
import { ISSUE_REFERENCES, checkGoals, goalsTable, phaseTable, summarizePhase } from './lib/report.mjs';
import {
  BENCH_DIR,
  REPO_DIR,
  TARGETS,
  ensurePeerInstalled,
  gatewayTarget,
  startStub,
  verifyTarget,
} from './lib/targets.mjs';

const NOISY_PCT = 10; // others% above this in any run makes the run noisy

const HELP = `Usage: node bench/run.mjs [options]   (npm run bench builds first, then runs this)

Measures A direct REST to the upstream stub, B Hive Gateway + Mesh (peer), C this gateway
(dist/src/main.js, production) and D a no-GraphQL floor proxy, interleaved in rotating order.

  --quick               smoke run (~25 s): short runs, 1 round outside the headline
  --rounds N            rounds per phase (default 3; the pressure phase uses min(N, 2))
  --duration S          measured seconds per run in the headline phase (default 2)
  --warmup S            warm-up seconds before each headline run (default 0.5)
  --prime S             one-off warm-up per GraphQL target (B, C) after start, so JIT tiering and
                        heap sizing are done before round 1 (default 12: both keep speeding up for
                        10-20 s); D gets at most 3, A at most 1 (tiny servers)
  --connections N       headline concurrency (default 32)
  --pressure-connections N   concurrency of the pressure phase (default 256)
  --delay-ms N          upstream delay in the pressure phase (default 20)
  --targets LIST        subset of A,B,C,D,R,S (default all; R Tailcall, S Tailcall with query validation)
  --phases LIST         subset of c32,c1,pressure,unpinned (default all)
  --variant 'ID|NAME|DIR|KEY=VALUE|…'   (repeatable) one more target: this gateway built in DIR
                        ('.' is this checkout) with extra settings (a '--flag' goes to node),
                        measured like C and compared
                        to it round by round (ratios C/ID). A value '@sink' is the URL of an OTLP
                        receiver the bench runs (it drains and acknowledges span exports), e.g.
                        --variant 'E|main before|/tmp/base'
                        --variant 'T|tracing 100%|.|OTEL_EXPORTER_OTLP_ENDPOINT=@sink|OTEL_TRACES_SAMPLER=always_on'
  --no-pin              do not use taskset (unpinned phases only)
  --no-write            do not write bench/results/*.json
  -h, --help            this text
`;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    prime: { type: 'string' },
    connections: { type: 'string', default: '32' },
    'pressure-connections': { type: 'string', default: '256' },
    'delay-ms': { type: 'string', default: '20' },
    targets: { type: 'string', default: 'A,B,C,D,R,S' },
    phases: { type: 'string', default: 'c32,c1,pressure,unpinned' },
    'no-pin': { type: 'boolean', default: false },
    variant: { type: 'string', multiple: true, default: [] },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const log = (...a) => console.log(...a);
const num = (v, d) => (v === undefined ? d : Number(v));
const targetIds = opt.targets
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter(Boolean);
for (const id of targetIds) if (!TARGETS[id]) throw new Error(`unknown target ${id} (A,B,C,D,R,S)`);
const variants = opt.variant.map((spec) => {
  const [id, name, dir, ...pairs] = spec.split('|');
  if (!/^[E-Z]$/.test(id ?? '') || !name || !dir)
    throw new Error(
      `--variant '${spec}': expected 'ID|NAME|DIR|KEY=VALUE…' with ID one letter E-Z (not R or S, the Tailcall targets)`,
    );
  // A '--flag' is node's (e.g. --single-threaded-gc, which NODE_OPTIONS does not take).
  const nodeArgs = pairs.filter((p) => p.startsWith('--'));
  const env = Object.fromEntries(
    pairs
      .filter((p) => !p.startsWith('--'))
      .map((p) => {
        const eq = p.indexOf('=');
        if (eq < 1) throw new Error(`--variant '${spec}': '${p}' is not KEY=VALUE or a --node-flag`);
        return [p.slice(0, eq), p.slice(eq + 1)];
      }),
  );
  return { id, name, dir: path.resolve(REPO_DIR, dir), env, nodeArgs };
});
for (const v of variants) {
  if (TARGETS[v.id] || targetIds.includes(v.id)) throw new Error(`--variant ${v.id}: the id is taken`);
  targetIds.push(v.id);
}
const needsSink = variants.some((v) => Object.values(v.env).includes('@sink'));
const wantPhases = new Set(opt.phases.split(',').map((s) => s.trim()));
const customised =
  ['rounds', 'duration', 'warmup', 'prime'].some((k) => opt[k] !== undefined) ||
  opt.targets !== 'A,B,C,D,R,S' ||
  opt.phases !== 'c32,c1,pressure,unpinned' ||
  opt.connections !== '32' ||
  opt['no-pin'] ||
  variants.length > 0;
const kind = opt.quick ? 'quick' : customised ? 'custom' : 'full';

const pinReason = opt['no-pin'] ? 'disabled by --no-pin' : pinningUnavailableReason();
const canPin = pinReason === null;
const rounds = num(opt.rounds, 3);
const c = num(opt.connections, 32);
const q = opt.quick;

// Durations are chosen so that the default run takes about 90 s and --quick about 25 s.
const phases = [];
const addPhase = (p) => phases.push({ ...p, id: `${p.pinned ? 'pinned' : 'unpinned'}-${p.key}`, rounds: [] });
const headlineMode = canPin;
if (wantPhases.has('c32'))
  addPhase({
    key: 'c32',
    pinned: headlineMode,
    connections: c,
    delayMs: 0,
    nRounds: rounds,
    warmupSec: num(opt.warmup, q ? 0.25 : 0.5),
    durationSec: num(opt.duration, q ? 0.6 : 2),
    title: `${headlineMode ? 'PINNED' : 'UNPINNED'} c=${c} (headline)`,
  });
if (wantPhases.has('c1'))
  addPhase({
    key: 'c1',
    pinned: headlineMode,
    connections: 1,
    delayMs: 0,
    nRounds: q ? 1 : rounds,
    warmupSec: 0.2,
    durationSec: q ? 0.4 : 0.6,
    title: `${headlineMode ? 'PINNED' : 'UNPINNED'} c=1 (service time)`,
  });
if (wantPhases.has('pressure'))
  addPhase({
    key: 'c256-delay',
    pinned: headlineMode,
    connections: num(opt['pressure-connections'], 256),
    delayMs: num(opt['delay-ms'], 20),
    nRounds: q ? 1 : Math.min(rounds, 2),
    // Long enough for a slow target to cycle 256 fresh connections a few times.
    warmupSec: 0.5,
    durationSec: q ? 1 : 1.5,
    title: `${headlineMode ? 'PINNED' : 'UNPINNED'} c=${num(opt['pressure-connections'], 256)}, upstream delay ${num(opt['delay-ms'], 20)} ms (in-flight pressure)`,
  });
if (wantPhases.has('unpinned') && canPin)
  addPhase({
    key: 'c32',
    pinned: false,
    connections: c,
    delayMs: 0,
    nRounds: q ? 1 : rounds,
    warmupSec: q ? 0.25 : 0.3,
    durationSec: q ? 0.5 : 0.8,
    title: `UNPINNED c=${c} (for reference; never mixed into pinned ratios)`,
  });

const primeSec = num(opt.prime, q ? 1 : 12);
// A, D and Tailcall (compiled, no JIT to warm) need little priming.
const primeFor = (id) =>
  id === 'A' ? Math.min(1, primeSec) : ['D', 'R', 'S'].includes(id) ? Math.min(3, primeSec) : primeSec;
const plannedSec =
  targetIds.reduce((s, id) => s + primeFor(id), 0) +
  phases.reduce((s, p) => s + p.nRounds * targetIds.length * (p.warmupSec + p.durationSec + 0.1), 0);
const results = {
  meta: {
    kind,
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    clkTck: CLK_TCK,
    pinned: canPin,
    pinNote: canPin
      ? 'target server alone on CPU 1; upstream stub, load generator and idle targets on CPU 0'
      : `unpinned only: ${pinReason}`,
    git: gitDescribe(),
    argv: process.argv.slice(2),
  },
  targets: {},
  phases,
};

let watchdog;
installCleanup({
  onFatal: () => writeResults(true),
});

main().catch((err) => {
  process.stderr.write(`\nbench: FAILED: ${err.stack ?? err}\n`);
  writeResults(true);
  killAll(true);
  process.exit(1);
});

async function main() {
  const t0 = Date.now();
  log(
    `bench (${kind}): targets ${targetIds.join(',')}; node ${process.version}; ${results.meta.cpus} CPUs; CLK_TCK ${CLK_TCK}`,
  );
  log(
    canPin
      ? `pinning: ${results.meta.pinNote}`
      : `pinning: OFF — ${pinReason}; reporting unpinned figures only`,
  );
  if (['B', 'R', 'S'].some((id) => targetIds.includes(id))) ensurePeerInstalled(log);

  // Bound the whole run: planned time plus generous start-up and slack.
  const boundSec = Math.ceil(plannedSec * 1.5 + 90);
  watchdog = setTimeout(() => {
    process.stderr.write(`\nbench: exceeded its time bound (${boundSec} s); stopping\n`);
    writeResults(true);
    killAll(true);
    process.exit(2);
  }, boundSec * 1000);

  const stub = await startStub(0);
  const upstreamUrl = `http://127.0.0.1:${stub.port}`;
  log(`upstream stub pid ${stub.pid} on ${upstreamUrl}`);
  const sink = needsSink ? await startOtlpSink() : undefined;
  if (sink) log(`OTLP sink (in the bench process, CPU 0 when pinned) on ${sink.url}`);
  for (const v of variants) {
    const env = Object.fromEntries(
      Object.entries(v.env).map(([k, val]) => [k, val === '@sink' ? sink.url : val]),
    );
    TARGETS[v.id] = gatewayTarget({
      id: v.id,
      name: v.name,
      what: `node ${v.nodeArgs.map((a) => `${a} `).join('')}${path.relative(REPO_DIR, path.join(v.dir, 'dist/src/main.js')) || 'dist/src/main.js'}, NODE_ENV=production${
        Object.keys(env).length
          ? `, ${Object.entries(env)
              .map(([k, val]) => `${k}=${val}`)
              .join(' ')}`
          : ''
      }`,
      dir: v.dir,
      env,
      nodeArgs: v.nodeArgs,
    });
  }

  const live = {};
  for (const id of targetIds) {
    const t = TARGETS[id];
    const ts = Date.now();
    const proc = await t.start(upstreamUrl, stub);
    const expectBody = await verifyTarget(t, proc.port);
    live[id] = { target: t, proc, expectBody };
    results.targets[id] = {
      name: t.name,
      what: t.what,
      pid: proc.pid,
      port: proc.port,
      startMs: Date.now() - ts,
      expectBody,
      request: { method: t.request.method, path: t.request.path, body: t.request.body },
    };
    log(
      `${id} ${t.name}: pid ${proc.pid} port ${proc.port}, answer verified${expectBody ? ` (every response must equal ${expectBody.trim()})` : ' (answers vary; shape checked once)'}`,
    );
  }
  log(
    `started and verified in ${((Date.now() - t0) / 1000).toFixed(1)} s; priming and measuring for about ${Math.round(plannedSec)} s\n`,
  );

  const prime = { id: 'prime', key: 'prime', pinned: headlineMode, connections: c, delayMs: 0, warmupSec: 0 };
  results.prime = [];
  for (const id of targetIds)
    if (primeFor(id) > 0)
      results.prime.push(await measure({ ...prime, durationSec: primeFor(id) }, 0, live[id], live, stub));

  for (const phase of phases) {
    await setStubDelay(upstreamUrl, phase.delayMs);
    for (let r = 0; r < phase.nRounds; r++) {
      const order = targetIds.map((_, i) => targetIds[(i + r) % targetIds.length]);
      const round = [];
      for (const id of order) round.push(await measure(phase, r, live[id], live, stub));
      phase.rounds.push(round);
    }
    await setStubDelay(upstreamUrl, 0);
  }
  if (canPin)
    for (const pid of [process.pid, stub.pid, ...Object.values(live).map((l) => l.proc.pid)])
      setAffinity(pid, '0,1');

  results.summary = {};
  for (const p of phases) results.summary[p.id] = summarizePhase(p);
  results.goals = checkGoals(results.summary, { pinned: headlineMode });
  results.meta.wallSec = (Date.now() - t0) / 1000;

  const names = Object.fromEntries(targetIds.map((id) => [id, TARGETS[id].name]));
  log('');
  for (const p of phases) log(phaseTable(p, results.summary[p.id], names) + '\n');
  log(goalsTable(results.goals));
  const noisiest = Math.max(...phases.flatMap((p) => p.rounds.flat().map((r) => r.foreignCpuPct)));
  results.meta.foreignCpuPctMax = noisiest;
  if (noisiest > NOISY_PCT)
    log(
      `\nWARNING: other processes on this machine used up to ${noisiest.toFixed(0)}% of its CPU during a measured run (column others%); treat this run's figures as noisy and run again on a quiet machine.`,
    );
  log(
    `\nCPU µs/req = (utime+stime of the target's own pid over the measured run) / CLK_TCK(${CLK_TCK}) / 2xx answers. For A that pid is the stub.`,
  );
  if (results.goals.some((g) => g.scaled))
    log(
      `Scaled lines estimate C on the issue's machine from M, ${ISSUE_REFERENCES.M.name} (there ${ISSUE_REFERENCES.M.cpuUsPerReq} µs/req and ${ISSUE_REFERENCES.M.addedMeanUs} µs mean added at c=1, the middles of its ranges): absolute µs vary between machines and days; the absolute verdict stays the goal's.`,
    );
  log(`wall time ${results.meta.wallSec.toFixed(1)} s`);
  if (sink) {
    results.meta.otlpSink = sink.stats;
    log(`OTLP sink received ${sink.stats.exports} exports, ${(sink.stats.bytes / 2 ** 20).toFixed(1)} MB`);
    sink.server.close();
  }
  const file = writeResults(false);
  if (file) log(`results: ${path.relative(process.cwd(), file)}`);

  clearTimeout(watchdog);
  await Promise.all(
    Object.values(live)
      .filter((l) => l.proc !== stub)
      .map((l) => stop(l.proc)),
  );
  await stop(stub);
}

async function measure(phase, r, l, live, stub, { quiet = false } = {}) {
  const { target, proc, expectBody } = l;
  if (phase.pinned) {
    // The measured server alone on CPU 1; everything else (load generator = this process, stub,
    // idle targets) on CPU 0. For A the server is the stub itself, so CPU 1 stays idle.
    setAffinity(process.pid, '0');
    setAffinity(stub.pid, '0');
    for (const other of Object.values(live))
      if (other.proc !== stub) setAffinity(other.proc.pid, other === l ? '1' : '0');
  } else if (canPin) {
    for (const pid of [process.pid, stub.pid, ...Object.values(live).map((o) => o.proc.pid)])
      setAffinity(pid, '0,1');
  }
  const req = target.request;
  const load = (durationSec) =>
    runLoad({
      url: `http://127.0.0.1:${proc.port}${req.path}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      connections: phase.connections,
      durationSec,
      expectBody,
      tokenHeader: 'csp-auth-token',
    });

  const peakResettable = resetPeak(proc.pid);
  if (phase.warmupSec > 0)
    assertClean(await load(phase.warmupSec), `${phase.id} round ${r + 1} ${target.id} warm-up`, {
      warmup: true,
    });
  const ours = [process.pid, stub.pid, ...Object.values(live).map((o) => o.proc.pid)];
  const before = sample(proc.pid);
  const stubBefore = cpuTicks(stub.pid);
  const oursBefore = ticksOf(ours);
  const machineBefore = machineBusyTicks();
  const res = await load(phase.durationSec);
  const after = sample(proc.pid);
  const stubAfter = cpuTicks(stub.pid);
  // CPU used by processes that are not ours during the run, as a share of the whole machine:
  // the noise indicator (others' builds and tests share these 2 CPUs).
  const foreignTicks = Math.max(0, machineBusyTicks() - machineBefore - (ticksOf(ours) - oursBefore));
  const wallTicks = (Number(after.at - before.at) / 1e9) * CLK_TCK * results.meta.cpus;
  assertClean(res, `${phase.id} round ${r + 1} ${target.id}`, { warmup: false });

  const us = (ticks) => ((ticks / CLK_TCK) * 1e6) / res.ok;
  const run = {
    target: target.id,
    round: r + 1,
    ...res,
    cpuUsPerReq: us(after.ticks - before.ticks),
    stubCpuUsPerReq: us(stubAfter - stubBefore),
    cpuTicks: after.ticks - before.ticks,
    rssMB: after.rss / 2 ** 20,
    peakRssMB: after.peakRss / 2 ** 20,
    peakSince: peakResettable ? 'warm-up start' : 'process start',
    foreignCpuPct: (100 * foreignTicks) / wallTicks,
  };
  delete run.statusCodeStats;
  if (!quiet)
    log(
      `${phase.id.padEnd(18)} r${r + 1} ${target.id}: ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50.toFixed(2).padStart(6)} ms  p99 ${run.p99.toFixed(2).padStart(6)} ms  CPU ${run.cpuUsPerReq.toFixed(0).padStart(4)} µs/req  RSS ${run.rssMB.toFixed(0)} MB (peak ${run.peakRssMB.toFixed(0)})  others ${run.foreignCpuPct.toFixed(0)}% CPU`,
    );
  return run;
}

function assertClean(res, label, { warmup }) {
  const problems = [];
  if (res.errors) problems.push(`${res.errors} errors (${res.timeouts} timeouts)`);
  if (res.non2xx) problems.push(`${res.non2xx} non-2xx (${JSON.stringify(res.statusCodeStats)})`);
  if (res.mismatches) problems.push(`${res.mismatches} answers differing from the verified body`);
  // A warm-up may be too short for a very slow target to answer at all; a measured run may not.
  if (!res.ok && !warmup) problems.push('no successful answer at all');
  if (problems.length) throw new Error(`${label}: ${problems.join(', ')} — the run is not valid`);
}

async function setStubDelay(upstreamUrl, delayMs) {
  const res = await fetch(`${upstreamUrl}/__bench/config`, {
    method: 'POST',
    body: JSON.stringify({ delayMs }),
  });
  const body = await res.json();
  if (body.delayMs !== delayMs) throw new Error(`stub refused delay ${delayMs}`);
}

function writeResults(failed) {
  if (opt['no-write']) return null;
  try {
    const dir = path.join(BENCH_DIR, 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = results.meta.startedAt.replace(/[:.]/g, '-');
    const data = JSON.stringify({ ...results, failed }, null, 2) + '\n';
    const file = path.join(dir, `${stamp}${failed ? '-failed' : ''}-${kind}.json`);
    writeFileSync(file, data);
    // latest.json is the committed record: only a complete default run may replace it.
    if (!failed) writeFileSync(path.join(dir, kind === 'full' ? 'latest.json' : `latest-${kind}.json`), data);
    return file;
  } catch (err) {
    process.stderr.write(`bench: could not write results: ${err.message}\n`);
    return null;
  }
}

/** Acknowledges OTLP/HTTP exports (JSON or protobuf) without decoding them: the exporter's cost stays the gateway's. */
function startOtlpSink() {
  const stats = { exports: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (c) => (stats.bytes += c.length));
    req.on('end', () => {
      stats.exports++;
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, server, stats }),
    ),
  );
}

function gitDescribe() {
  try {
    const head = execFileSync('git', ['-C', REPO_DIR, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['-C', REPO_DIR, 'status', '--porcelain', '--', 'src'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} (src/ has uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}
