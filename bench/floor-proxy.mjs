#!/usr/bin/env node
// The bench's floor (target D): the same two hops as the gateway — a JSON POST in, a keep-alive
// PATCH to CSP out, a GraphQL-shaped JSON answer back — with no GraphQL at all. Whatever the
// gateway costs above this is the price of parsing, validating, executing and policy.
//
// Usage: node bench/floor-proxy.mjs --upstream http://127.0.0.1:N [--port 0] [--host 127.0.0.1]
// Prints one JSON line {"port":N} on stdout once listening. GET /ready answers 200.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
  },
});
if (!values.upstream) throw new Error('--upstream http://host:port is required');

const upstream = new URL('/csp/gateway/iam/vmwid/api/principal/mfa', values.upstream);
// One agent for the process, as a real client would have; unbounded sockets like got's default.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function answer(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function patchUpstream(token, input, done) {
  const payload = JSON.stringify({ password: input.password, turnedOn: input.turnedOn });
  const req = http.request(
    upstream,
    {
      method: 'PATCH',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        accept: 'application/json',
        'csp-auth-token': token,
      },
    },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          done(null, res.statusCode, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          done(err);
        }
      });
      res.on('error', done);
    },
  );
  req.setTimeout(10_000, () => req.destroy(new Error('upstream timeout')));
  req.on('error', done);
  req.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && (req.url === '/ready' || req.url === '/health')) {
    return answer(res, 200, { status: 'ok' });
  }
  if (req.method !== 'POST') return answer(res, 404, { errors: [{ message: 'Not found' }] });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let input;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')).variables.input;
    } catch {
      return answer(res, 400, { errors: [{ message: 'Bad request' }] });
    }
    const token = req.headers['csp-auth-token'];
    if (!token) return answer(res, 200, { data: { updateMyMfa: { __typename: 'UnauthenticatedError' } } });
    patchUpstream(token, input, (err, status, body) => {
      if (err || status !== 200) {
        return answer(res, 200, { errors: [{ message: 'Unexpected error' }], data: { updateMyMfa: null } });
      }
      answer(res, 200, {
        data: { updateMyMfa: { __typename: 'MfaStatus', turnedOn: body.turnedOn === true } },
      });
    });
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
