#!/usr/bin/env node
// Investigation (2026-11-28): is got the wall? The benchmark's goals "C ≥ 2.0× B" and "C ≤ 450 µs CPU per
// request" were missed; this asks whether the GraphQL side or the upstream client is to blame.
// How: the same gateway (createServer from dist/, production settings, the whole GraphQL path) measured
// twice against the same upstream stub: once with the shipped got client, once with a throwaway
// node:http client doing the same PATCH. The gateway is pinned to CPU 1, stub and load to CPU 0; c=32,
// 10 s warm-up, then --seconds measured. Prints CPU µs per request (from /proc) and req/s for both.
// Run: npm run build && node bench/investigations/got-wall.mjs [--seconds 6]
// Result (2026-11-28, the 2-core bench VM): got 675 µs CPU per request (1,486 req/s), node:http 288 µs
// (3,467 req/s, about 4× the peer): got's own per-request work costs 390–430 µs over three runs, two
// thirds of the gateway's CPU. got stays (the design card keeps it); docs/performance.md has the context.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { printHeaderHelp } from '../lib/header-help.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    child: { type: 'string' },
    port: { type: 'string' },
    upstream: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const dist = new URL('../../dist/src/', import.meta.url);

async function serveGateway(kind, port, upstreamPort) {
  const { loadConfig } = await import(new URL('config.js', dist));
  const { createLogger } = await import(new URL('logging/logger.js', dist));
  const { createServer } = await import(new URL('server.js', dist));
  const { createCspMfaClient } = await import(new URL('backend/csp/csp-mfa.client.js', dist));
  const env = {
    PORT: port,
    HOST: '127.0.0.1',
    CSP_BASE_URL: `http://127.0.0.1:${upstreamPort}`,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    BRUTE_FORCE_MAX_ATTEMPTS: '1000',
  };
  const { config } = loadConfig(env);
  const logger = createLogger({ level: 'warn' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const viaNodeHttp = (call) =>
    new Promise((resolve) => {
      const body = JSON.stringify({ password: call.password, turnedOn: call.turnedOn });
      const req = http.request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          path: '/csp/gateway/iam/vmwid/api/principal/mfa',
          method: 'PATCH',
          agent,
          headers: {
            'csp-auth-token': call.token,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ ok: true, value: JSON.parse(text) }));
        },
      );
      req.on('error', () => resolve({ ok: false, failure: { code: 'UPSTREAM_UNAVAILABLE' } }));
      req.end(body);
    });
  const gotClient = createCspMfaClient({ baseUrl: config.backend.baseUrl, logger });
  const backend = kind === 'got' ? gotClient : { ...gotClient, updateMfa: viaNodeHttp };
  const running = await createServer({ config, backend, logger }).listen();
  process.stdout.write(`ready ${running.port}\n`);
}

if (values.help) {
  // The header above is the documentation.
  printHeaderHelp(import.meta.url);
} else if (values.child) {
  await serveGateway(values.child, values.port, Number(values.upstream));
} else {
  const stub = spawn(
    'taskset',
    ['-c', '0', process.execPath, new URL('../upstream-stub.mjs', import.meta.url).pathname, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const upstreamPort = await new Promise((resolve) =>
    stub.stdout.on('data', (d) => {
      const m = /(\d{4,5})/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    }),
  );
  const seconds = Number(values.seconds);
  const results = {};
  for (const kind of ['node:http', 'got']) {
    const gw = spawn(
      'taskset',
      [
        '-c',
        '1',
        process.execPath,
        new URL(import.meta.url).pathname,
        '--child',
        kind === 'got' ? 'got' : 'http',
        '--port',
        '0',
        '--upstream',
        String(upstreamPort),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise((resolve) =>
      gw.stdout.once('data', (d) => resolve(Number(/ready (\d+)/.exec(d.toString())?.[1]))),
    );
    const cpu = () => {
      const f = readFileSync(`/proc/${gw.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const opts = {
      url: `http://127.0.0.1:${port}/graphql`,
      connections: 32,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'csp-auth-token': 'bench-token' },
      body: JSON.stringify({
        query:
          'mutation B($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } } }',
        variables: { input: { password: 'bench-password', turnedOn: true } },
      }),
      expectBody: '{"data":{"updateMyMfa":{"__typename":"MfaStatus","turnedOn":true}}}\n',
    };
    await autocannon({ ...opts, duration: 10 });
    const before = cpu();
    const run = await autocannon({ ...opts, duration: seconds });
    const used = cpu() - before;
    if (run.errors || run.non2xx || run.mismatches)
      throw new Error(`${kind}: ${run.errors} errors, ${run.non2xx} non-2xx, ${run.mismatches} mismatches`);
    results[kind] = { rps: run.requests.average, cpuUs: (used * 10_000) / run.requests.total };
    gw.kill();
  }
  stub.kill();
  console.log('The same gateway, pinned to one core, c=32, upstream client swapped:');
  for (const [kind, r] of Object.entries(results))
    console.log(
      `  ${kind.padEnd(10)} ${r.rps.toFixed(0).padStart(6)} req/s  ${r.cpuUs.toFixed(0).padStart(5)} µs CPU/request`,
    );
  const extra = results.got.cpuUs - results['node:http'].cpuUs;
  console.log(
    `  got costs ${extra.toFixed(0)} µs of CPU per request more (${(results.got.cpuUs / results['node:http'].cpuUs).toFixed(2)}×).`,
  );
}
