#!/usr/bin/env node
// The CSP stand-in for load (npm run bench, npm run soak): a separate process with fixed, fast answers,
// so the figures measure the gateway, not the stand-in. PATCH /csp/gateway/iam/vmwid/api/principal/mfa
// answers 200 {"turnedOn": <requested>} after an optional delay; GET …/mfa/status a full status.
// Keep-alive, no logging, no checks beyond what a real CSP would refuse outright (no token, no JSON
// body), so that a target that forgets to forward the token or the body fails verification. Two fixed
// refusals let a load mix in failures: the password 'wrong' is 403, a token starting 'bad-' is 401.
//
// Why not the tests' stand-in (test/helpers/fake-csp.ts): that one runs inside the test process and each
// test scripts its answers (faults, echoes, hangs); load needs its own pinned process and fixed answers.
// The CSP simulator (npm run csp-sim) is the realistic one, over the embedded store, for demos and the
// backend contract: far too slow a ceiling for load.
//
// Usage: node bench/upstream-stub.mjs [--port 0] [--host 127.0.0.1] [--delay-ms 0]
// Prints one JSON line {"port":N} on stdout once listening.
// POST /__bench/config {"delayMs":N} changes the delay at run time (the runner uses it for the
// in-flight-pressure phase, so that no target has to be restarted against a second stub).
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'delay-ms': { type: 'string', default: '0' },
  },
});

const MFA_PATH = '/csp/gateway/iam/vmwid/api/principal/mfa';
const STATUS_PATH = `${MFA_PATH}/status`;
const STATUS = JSON.stringify({
  activated: true,
  deviceName: 'Pixel',
  turnedOn: true,
  username: 'u@example.com',
});
let delayMs = Number(values['delay-ms']);
let served = 0;

function send(res, status, body) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function error(res, status, message) {
  send(res, status, JSON.stringify({ statusCode: status, moduleCode: 420, message }));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const token = String(req.headers['csp-auth-token'] ?? '');
    if (req.url === STATUS_PATH && req.method === 'GET') {
      if (!token || token.startsWith('bad-')) return error(res, 401, 'Unauthenticated User');
      return send(res, 200, STATUS);
    }
    if (req.url === MFA_PATH && req.method === 'PATCH') {
      if (!token || token.startsWith('bad-')) return error(res, 401, 'Unauthenticated User');
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, 400, 'Body is not JSON');
      }
      if (typeof body?.password !== 'string') return error(res, 400, 'Password was not provided');
      if (body.password === 'wrong') return error(res, 403, 'Wrong password provided');
      const answer = JSON.stringify({ turnedOn: body.turnedOn === true });
      served++;
      if (delayMs > 0) setTimeout(() => send(res, 200, answer), delayMs);
      else send(res, 200, answer);
      return;
    }
    if (req.url === '/__bench/config' && req.method === 'POST') {
      const cfg = JSON.parse(raw || '{}');
      if (typeof cfg.delayMs === 'number') delayMs = cfg.delayMs;
      return send(res, 200, JSON.stringify({ delayMs, served }));
    }
    if (req.url === '/__bench/stats') return send(res, 200, JSON.stringify({ delayMs, served }));
    error(res, 404, 'Not found');
  });
});
// Node's default keep-alive timeout (5 s) is longer than any gap between bench runs; make the
// header timeout generous too so 256 idle connections are never cut during a phase change.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
