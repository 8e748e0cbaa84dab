#!/usr/bin/env node
// Where the gateway's CPU goes under the bench load: starts the upstream stub and the gateway
// (target C) under `node --cpu-prof`, loads it at c=32, stops it with SIGTERM (so V8 writes the
// profile), then prints the top self-time functions and packages.
//
// Usage: node bench/profile.mjs [--seconds 10] [--connections 32] [--top 25] [--keep] [--alloc all|live]
// Needs `npm run build` first. --keep leaves the .cpuprofile (for Chrome DevTools / speedscope).
// --alloc samples allocations instead of CPU (bench/lib/heap-sampler.mjs), over the measured load only, and
// prints bytes per answer by function and package: `all` is everything the request path allocates, `live`
// what was still on the heap at exit (kept long enough to survive a scavenge, or still referenced).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pinningUnavailableReason, setAffinity } from './lib/affinity.mjs';
import { runLoad } from './lib/load.mjs';
import { installCleanup, startNodeOnFreePort, stop } from './lib/processes.mjs';
import { REPO_DIR, TARGETS, startStub, verifyTarget } from './lib/targets.mjs';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    alloc: { type: 'string' },
  },
});
installCleanup();
if (opt.alloc !== undefined && !['all', 'live'].includes(opt.alloc))
  throw new Error(`--alloc ${opt.alloc}: expected all or live`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-mfa-profile-'));
const stub = await startStub(0);
const upstreamUrl = `http://127.0.0.1:${stub.port}`;
const gw = await startNodeOnFreePort({ name: 'gateway', cwd: REPO_DIR, readyPath: '/ready' }, (port) => ({
  args: [
    ...(opt.alloc
      ? ['--import', path.join(REPO_DIR, 'bench/lib/heap-sampler.mjs')]
      : ['--cpu-prof', '--cpu-prof-dir', dir]),
    path.join(REPO_DIR, 'dist/src/main.js'),
  ],
  env: {
    ...(opt.alloc
      ? { HEAP_SAMPLE_FILE: path.join(dir, 'alloc.heapprofile'), HEAP_SAMPLE_KEEP: opt.alloc }
      : {}),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    CSP_BASE_URL: upstreamUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
  },
}));
const target = TARGETS.C;
const expectBody = await verifyTarget(target, gw.port);
const pinned = pinningUnavailableReason() === null;
if (pinned) {
  setAffinity(process.pid, '0');
  setAffinity(stub.pid, '0');
  setAffinity(gw.pid, '1');
}
const req = target.request;
const load = (durationSec) =>
  runLoad({
    url: `http://127.0.0.1:${gw.port}${req.path}`,
    method: req.method,
    headers: req.headers,
    body: req.body,
    connections: Number(opt.connections),
    durationSec,
    expectBody,
    tokenHeader: 'csp-auth-token',
  });
await load(2);
if (opt.alloc) process.kill(gw.pid, 'SIGUSR2');
const res = await load(Number(opt.seconds));
console.log(
  `load: ${res.rps.toFixed(0)} req/s, p50 ${res.p50.toFixed(2)} ms, ${res.ok} answers, ${res.errors} errors, ${res.non2xx} non-2xx (${pinned ? 'pinned' : 'unpinned'}, c=${opt.connections}, under ${opt.alloc ? `heap sampling (${opt.alloc})` : '--cpu-prof'})`,
);
await stop(gw, 10_000);
await stop(stub);

if (opt.alloc) {
  const file = path.join(dir, 'alloc.heapprofile');
  summarizeAllocations(JSON.parse(readFileSync(file, 'utf8')), res.ok, Number(opt.top));
  if (opt.keep) console.log(`\nprofile kept: ${file}`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile written in ${dir} (did the gateway exit on SIGTERM?)`);
summarize(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), Number(opt.top));
if (opt.keep) console.log(`\nprofile kept: ${path.join(dir, file)}`);
else rmSync(dir, { recursive: true, force: true });

function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // timeDeltas[i + 1] is the time spent in samples[i] (V8 records the delta before each sample).
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const parent = new Map();
  for (const n of profile.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
  // The nearest caller that is not Node core or a V8 builtin: who asked for that work.
  const ownerOf = (id) => {
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { url, functionName } = byId.get(cur).callFrame;
      if (url && !url.startsWith('node:')) return packageOf(url, functionName);
      if (!url && functionName.startsWith('(') && functionName !== '(root)') return functionName;
    }
    // Only Node core on the stack (socket reads, HTTP parsing): name the module nearest the root.
    let rootmost = '';
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const { url } = byId.get(cur).callFrame;
      if (url) rootmost = url;
    }
    return `node core only, entered at ${rootmost || '?'}`;
  };
  const fnTotals = new Map();
  const pkgTotals = new Map();
  const ownerTotals = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const where = shortUrl(url);
    const fnKey = `${functionName || '(anonymous)'}  ${where ? `${where}:${lineNumber + 1}` : ''}`;
    fnTotals.set(fnKey, (fnTotals.get(fnKey) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    pkgTotals.set(pkg, (pkgTotals.get(pkg) ?? 0) + us);
    const owner = ownerOf(id);
    ownerTotals.set(owner, (ownerTotals.get(owner) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(
    `\nbusy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s of the profiled process`,
  );
  console.log(`\nTop ${top} functions by self time (% of busy time):`);
  for (const [k, us] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${k}`);
  console.log('\nSelf time by package / area:');
  for (const [k, us] of [...pkgTotals].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`  ${pct(us)}  ${k}`);
  console.log(
    '\nSelf time charged to the nearest userland caller (Node core and builtins folded into whoever called them):',
  );
  for (const [k, us] of [...ownerTotals].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`  ${pct(us)}  ${k}`);
}

function summarizeAllocations(profile, answers, top) {
  const fnTotals = new Map();
  const pkgTotals = new Map();
  let total = 0;
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const where = shortUrl(url);
      const fnKey = `${functionName || '(anonymous)'}  ${where ? `${where}:${lineNumber + 1}` : ''}`;
      fnTotals.set(fnKey, (fnTotals.get(fnKey) ?? 0) + node.selfSize);
      const pkg = packageOf(url, functionName);
      pkgTotals.set(pkg, (pkgTotals.get(pkg) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const perAnswer = (bytes) => `${(bytes / answers / 1024).toFixed(2).padStart(7)} KB`;
  console.log(`\nsampled ${(total / 1048576).toFixed(1)} MB, ${perAnswer(total)} per answer`);
  console.log(`\nTop ${top} allocating functions (per answer):`);
  for (const [k, b] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${perAnswer(b)}  ${k}`);
  console.log('\nBy package / area (per answer):');
  for (const [k, b] of [...pkgTotals].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`  ${perAnswer(b)}  ${k}`);
}

function shortUrl(url) {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  return path.relative(REPO_DIR, u);
}

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: core';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return path.relative(REPO_DIR, u).split('/').slice(0, 3).join('/');
}
