#!/usr/bin/env node
// Investigation (2026-11-28): how much of the gateway's CPU per request is the upstream client itself,
// and which of got's interfaces is cheaper?
// How: the same keep-alive PATCH (same headers, same JSON body, same tiny answer) made by got's promise
// interface, got's stream interface (what src/backend/csp uses) and bare node:http, each in a fresh
// process pinned to one core with an in-process upstream, c=32; reports CPU µs per call (client and
// upstream together, so compare the differences).
// Run: node bench/investigations/upstream-client.mjs [--calls 20000]
// Result (2026-11-28, the 2-core bench VM): node:http 80 µs per call, got stream 218 µs, got promise
// 291 µs. The CSP client uses got's stream interface (its comment quotes another run: 230 vs 310 µs per call).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { got } from 'got';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    child: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const CALLS = Number(values.calls);
const PATH = '/csp/gateway/iam/vmwid/api/principal/mfa';
const BODY = JSON.stringify({ password: 'bench-password', turnedOn: true });

async function measure(kind) {
  const stub = http.createServer({ keepAlive: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"turnedOn":true}');
    });
  });
  await new Promise((resolve) => stub.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${stub.address().port}${PATH}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const headers = { 'csp-auth-token': 'bench-token', 'content-type': 'application/json' };
  const client = got.extend({
    agent: { http: agent },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    decompress: false,
    timeout: { request: 5000 },
  });
  const calls = {
    'got promise': async () => JSON.parse((await client(url, { method: 'PATCH', headers, body: BODY })).body),
    'got stream': () =>
      new Promise((resolve, reject) => {
        const s = client.stream(url, { method: 'PATCH', headers, body: BODY });
        let d = '';
        s.setEncoding('utf8');
        s.on('data', (c) => (d += c));
        s.on('end', () => resolve(JSON.parse(d)));
        s.on('error', reject);
      }),
    'node:http': () =>
      new Promise((resolve, reject) => {
        const req = http.request(
          url,
          { method: 'PATCH', agent, headers: { ...headers, 'content-length': Buffer.byteLength(BODY) } },
          (res) => {
            let d = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (d += c));
            res.on('end', () => resolve(JSON.parse(d)));
          },
        );
        req.on('error', reject);
        req.end(BODY);
      }),
  };
  const call = calls[kind];
  const run = async (n) => {
    let i = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (i++ < n) await call();
      }),
    );
  };
  await run(Math.min(5000, CALLS));
  const before = process.cpuUsage();
  await run(CALLS);
  const used = process.cpuUsage(before);
  agent.destroy();
  stub.close();
  return (used.user + used.system) / CALLS;
}

if (values.help) {
  // The header above is the documentation.
  const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  console.log(
    source
      .filter((line) => line.startsWith('// '))
      .map((line) => line.slice(3))
      .join('\n'),
  );
} else if (values.child) {
  process.stdout.write(String(await measure(values.child)));
} else {
  const kinds = ['node:http', 'got stream', 'got promise'];
  const results = {};
  for (const kind of kinds) {
    // One fresh process per client, pinned to core 1, so JIT and heap state are not shared.
    const out = execFileSync('taskset', [
      '-c',
      '1',
      process.execPath,
      new URL(import.meta.url).pathname,
      '--child',
      kind,
      '--calls',
      String(CALLS),
    ]);
    results[kind] = Number(out.toString());
  }
  const raw = results['node:http'];
  console.log('CPU per call (client + in-process upstream), pinned to one core, c=32:');
  for (const kind of kinds)
    console.log(
      `  ${kind.padEnd(12)} ${results[kind].toFixed(0).padStart(5)} µs   ${(results[kind] / raw).toFixed(2)}× node:http   (+${(results[kind] - raw).toFixed(0)} µs)`,
    );
}
