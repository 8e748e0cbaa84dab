#!/usr/bin/env node
// npm run soak: load and soak test of the built gateway (dist/src/main.js). Starts a local CSP stub and
// the gateway as a child process (free ports), drives autocannon at saturation for a bounded time,
// samples the gateway's RSS from /proc/<pid>/status every second, and fails (exit 1) on any error or
// non-2xx answer, any answer that is not a typed GraphQL answer, or RSS growth beyond the bound.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const HELP = `Usage: node scripts/soak.mjs [options]   (npm run soak builds first, then runs this)

  --seconds S        load duration (default 60)
  --warmup S         seconds of load before the RSS baseline is taken (default 10, at most S/2)
  --connections N    concurrent connections (default 64)
  --max-growth-mb M  fail when RSS at the end exceeds the baseline by more than M MB (default 30)
  -h, --help         this text

The mix: half updateMyMfa, half myMfa. Of the updates, 80% are users with the right password
(5,000 rotating principals), 10% are 20 attackers with a wrong password (locked by the brute-force
guard after 5), and 10% carry a fresh unknown token each (401 upstream).
`;

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '64' },
    'max-growth-mb': { type: 'string', default: '30' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const positive = (name, raw) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got '${raw}'`);
    process.exit(2);
  }
  return n;
};
const seconds = positive('seconds', opt.seconds);
const warmup = Math.min(opt.warmup === undefined ? 10 : positive('warmup', opt.warmup), seconds / 2);
const connections = Math.round(positive('connections', opt.connections));
const maxGrowthMb = positive('max-growth-mb', opt['max-growth-mb']);
const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const MB = 1024 * 1024;

// ---- the load stand-in for CSP (bench/upstream-stub.mjs, shared with the bench): 403 for the
// password 'wrong', 401 for tokens starting 'bad-', else 200 ----
const stub = spawn(
  process.execPath,
  [fileURLToPath(new URL('../bench/upstream-stub.mjs', import.meta.url))],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const stubPort = await new Promise((resolve, reject) => {
  let out = '';
  stub.stdout.on('data', (c) => {
    out += c.toString();
    const line = out.split('\n')[0];
    if (out.includes('\n')) resolve(JSON.parse(line).port);
  });
  stub.once('exit', (code) => reject(new Error(`the CSP stand-in exited (${code}) before listening`)));
});
const stubUrl = `http://127.0.0.1:${stubPort}`;

// ---- the gateway, as a child process ----
const gateway = spawn(process.execPath, [MAIN], {
  env: {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    CSP_BASE_URL: stubUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stderr = '';
gateway.stderr.on('data', (c) => (stderr += c.toString()));
const gatewayUrl = await new Promise((resolve, reject) => {
  let buffered = '';
  const timer = setTimeout(() => reject(new Error(`the gateway did not start: ${stderr}`)), 15_000);
  gateway.stdout.on('data', (c) => {
    buffered += c.toString();
    for (const line of buffered.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        gateway.stdout.removeAllListeners('data');
        gateway.stdout.resume();
        resolve(`http://127.0.0.1:${entry.port}`);
      }
    }
    buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
  });
  gateway.once('exit', (code) => reject(new Error(`the gateway exited with ${code}: ${stderr}`)));
});

/** VmRSS in bytes; 0 once the process is gone (its exit is reported, not thrown). */
function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
let exitedEarly = null;
gateway.once('exit', (code, signal) => (exitedEarly = `exit ${code ?? signal}`));

// ---- the load ----
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (sub) =>
  `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ sub, username: `${sub}@example.com`, acct: 'a', domain: 'vmwareid', exp: 4_102_444_800 })}.c2ln`;
const USERS = Array.from({ length: 5_000 }, (_, i) => jwt(`vmwareid:user-${i}`));
const ATTACKERS = Array.from({ length: 20 }, (_, i) => jwt(`vmwareid:attacked-${i}`));
const UPDATE = `mutation U($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } ... on MfaRateLimitedError { retryAfterSeconds } ... on MfaError { code requestId } } }`;
const STATUS = `query S { myMfa { __typename ... on MfaStatus { turnedOn activated deviceName username } ... on MfaError { code } } }`;
const BASE_HEADERS = { 'content-type': 'application/json' };

let seq = 0;
let unknownTokens = 0;
function nextUpdate() {
  const i = seq++;
  const roll = i % 10;
  if (roll === 0) return { token: ATTACKERS[Math.floor(i / 10) % ATTACKERS.length], password: 'wrong' };
  if (roll === 1) return { token: `bad-${++unknownTokens}-${i}`, password: 'whatever' };
  return { token: USERS[i % USERS.length], password: 'right' };
}

let untyped = 0;
const members = new Map();
const countMember = (status, body) => {
  const name = /"__typename":"(\w+)"/.exec(body)?.[1];
  if (status !== 200 || !name || body.includes('"errors"')) untyped++;
  else members.set(name, (members.get(name) ?? 0) + 1);
};

const rssStart = rssOf(gateway.pid);
let rssBaseline = rssStart;
let rssPeak = rssStart;
const startedAt = Date.now();
const sampler = setInterval(() => {
  const rss = rssOf(gateway.pid);
  rssPeak = Math.max(rssPeak, rss);
  if (Date.now() - startedAt < warmup * 1000) rssBaseline = rss;
}, 1_000);

console.log(
  `soak: ${seconds} s at ${connections} connections against ${gatewayUrl} (pid ${gateway.pid}); baseline after ${warmup} s`,
);
const result = await autocannon({
  url: gatewayUrl,
  connections,
  duration: seconds,
  timeout: 10,
  requests: [
    {
      method: 'POST',
      path: '/graphql',
      setupRequest: (req) => {
        const { token, password } = nextUpdate();
        return {
          ...req,
          headers: { ...BASE_HEADERS, 'csp-auth-token': token },
          body: JSON.stringify({ query: UPDATE, variables: { input: { password, turnedOn: true } } }),
        };
      },
      onResponse: countMember,
    },
    {
      method: 'POST',
      path: '/graphql',
      setupRequest: (req) => ({
        ...req,
        headers: { ...BASE_HEADERS, 'csp-auth-token': USERS[seq % USERS.length] },
        body: JSON.stringify({ query: STATUS }),
      }),
      onResponse: countMember,
    },
  ],
});
clearInterval(sampler);
const rssEnd = rssOf(gateway.pid);
rssPeak = Math.max(rssPeak, rssEnd);
const health = await fetch(`${gatewayUrl}/health`).then(
  (r) => r.status,
  () => 0,
);

const diedDuringLoad = exitedEarly;
const exitCode = diedDuringLoad
  ? diedDuringLoad
  : await new Promise((resolve) => {
      gateway.once('exit', resolve);
      gateway.kill('SIGTERM');
    });
stub.kill('SIGTERM');

const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;
const errors = result.errors + result.timeouts + result.non2xx;
const growth = rssEnd - rssBaseline;
console.log(
  [
    `requests      ${result.requests.total} (${Math.round(result.requests.average)} req/s average, p99 ${result.latency.p99} ms)`,
    `errors        ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${untyped} untyped answers`,
    `members       ${[...members].map(([name, n]) => `${name} ${n}`).join(', ')}`,
    `RSS           start ${mb(rssStart)}, after warm-up ${mb(rssBaseline)}, peak ${mb(rssPeak)}, end ${mb(rssEnd)} (growth ${mb(growth)}, bound ${maxGrowthMb} MB)`,
    `after         /health ${health}, exit ${exitCode}${stderr.trim() ? `, stderr: ${stderr.trim().slice(0, 300)}` : ''}`,
  ].join('\n'),
);

const failures = [];
if (errors > 0 || untyped > 0) failures.push(`${errors} errors/non-2xx and ${untyped} untyped answers`);
if (growth > maxGrowthMb * MB)
  failures.push(`RSS grew ${mb(growth)} after warm-up (bound ${maxGrowthMb} MB)`);
if (diedDuringLoad) failures.push(`the gateway died during the load (${diedDuringLoad})`);
else if (health !== 200) failures.push(`/health answered ${health} after the load`);
if (result.requests.total === 0) failures.push('no requests completed');
if (failures.length > 0) {
  console.error(`soak FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
