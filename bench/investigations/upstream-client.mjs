#!/usr/bin/env node
// Investigation (2026-11-28, extended 2026-12-02): how much of the gateway's CPU per request is the upstream
// client itself, which of got's interfaces is cheaper, and what does got do per call that can be avoided
// within its public API?
// How: the same keep-alive PATCH (same headers, same JSON body, same tiny answer) made by got's promise
// interface, got's stream interface, got with options normalized once (`got(undefined, undefined, options)`,
// as got's own benchmark/index.ts measures it), the same with a timer of ours instead of got's timeout, the
// same through a handler that gives got an Options subclass building node's request options as one flat
// object (what src/backend/csp does), and bare node:http; each in a fresh process pinned to one core with an
// in-process upstream, c=32, the kinds interleaved over --rounds; reports CPU µs per call (client and upstream
// together, so compare the differences), median and range.
// Run: node bench/investigations/upstream-client.mjs [--calls 20000] [--rounds 3] [--only 'kind,kind']
// Result (2026-11-28, quiet VM): node:http 80 µs per call, got stream 218 µs, got promise 291 µs.
// Result (2026-12-02, same VM under other helpers' load, so every figure about 2.5× higher; compare the
// differences over node:http): got stream +230–236 µs, got promise +340, normalized +196–214, normalized
// with our own timer +203 (no gain: dropped), normalized + flat native options +94 µs. The cause of that last
// step: got's Options#createNativeRequestOptions spreads two objects and then adds ~30 fields, and on Node 20
// every field added after a spread is slow (75–110 µs per call in isolation, 50 µs inside a call).
// Result (2026-12-02, later, quieter VM, 3 and 5 rounds): node:http 247/264 µs, normalized lean +133/+119 µs,
// single clone +59/+91 µs: the call's data given to got's own clone in the handler instead of two clones of ours.
// Then (7 rounds): node:http 170 µs, single clone with four native fields +68 µs, with the 31 fields got's own
// method builds (most undefined) +109 µs: node's agent and ClientRequest copy the whole object again.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { got, Options } from 'got';
import { printHeaderHelp } from '../lib/header-help.mjs';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
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
  const endpointHeaders = { 'content-type': 'application/json' };
  const endpointInit = {
    agent: { http: agent },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    decompress: false,
    method: 'PATCH',
    isStream: true,
    headers: endpointHeaders,
  };
  const endpoint = new Options(url, { ...endpointInit, timeout: { request: 5000 } });
  const shared = new Options(undefined, undefined, endpoint);
  const untimedShared = new Options(url, endpointInit);
  let n = 0;
  const perCallHeaders = () => ({ 'csp-auth-token': headers['csp-auth-token'], 'x-request-id': String(n++) });
  const streamCall = (stream) =>
    new Promise((resolve, reject) => {
      let d = '';
      stream.setEncoding('utf8');
      stream.on('data', (c) => (d += c));
      stream.on('end', () => resolve(JSON.parse(d)));
      stream.on('error', reject);
    });
  class LeanOptions extends Options {
    createNativeRequestOptions() {
      const url = this.url;
      return {
        agent: url.protocol === 'https:' ? this.agent.https : this.agent.http,
        method: this.method,
        headers: this.headers,
        setHost: this.setHost,
      };
    }
  }
  const lean = got.extend({
    handlers: [(options, next) => next(new LeanOptions(undefined, undefined, options))],
  });
  // The call's headers and body reach the instance's one handler through a variable set just before got()
  // (handlers run synchronously inside it), and the handler fills got's own clone (made in Request's
  // constructor) and gives it the flat native options: one clone per call instead of three.
  let pending;
  function leanNative() {
    return { agent: this.agent.http, method: this.method, headers: this.headers, setHost: this.setHost };
  }
  // What src/backend/csp builds: every field got's own method passes, TLS ones included (undefined on http).
  function fullNative() {
    const tls = this.https;
    return {
      agent: this.agent.http,
      method: this.method,
      headers: this.headers,
      setHost: this.setHost,
      maxHeaderSize: this.maxHeaderSize,
      localAddress: this.localAddress,
      lookup: this.dnsLookup,
      family: this.dnsLookupIpVersion,
      createConnection: this.createConnection,
      timeout: undefined,
      h2session: undefined,
      ALPNProtocols: tls.alpnProtocols,
      ca: tls.certificateAuthority,
      cert: tls.certificate,
      key: tls.key,
      passphrase: tls.passphrase,
      pfx: tls.pfx,
      rejectUnauthorized: tls.rejectUnauthorized,
      checkServerIdentity: tls.checkServerIdentity,
      servername: tls.serverName,
      ciphers: tls.ciphers,
      honorCipherOrder: tls.honorCipherOrder,
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      sigalgs: tls.signatureAlgorithms,
      sessionTimeout: tls.tlsSessionLifetime,
      dhparam: tls.dhparam,
      ecdhCurve: tls.ecdhCurve,
      crl: tls.certificateRevocationLists,
      secureOptions: tls.secureOptions,
    };
  }
  // One instance per native-options builder: the handler fills got's clone and sets the builder.
  const filledBy = (native) =>
    got.extend({
      handlers: [
        (options, next) => {
          Object.assign(options.headers, pending.headers);
          options.body = pending.body;
          options.createNativeRequestOptions = native;
          return next(options);
        },
      ],
    });
  const singleFull = filledBy(fullNative);
  const single = filledBy(leanNative);
  const calls = {
    'got single clone all fields': () => {
      pending = { headers: perCallHeaders(), body: BODY };
      return streamCall(singleFull(undefined, undefined, endpoint));
    },
    'got single clone': () => {
      pending = { headers: perCallHeaders(), body: BODY };
      return streamCall(single(undefined, undefined, endpoint));
    },
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
    // Options normalized once per endpoint, passed as got's third argument (`got(undefined, undefined, options)`):
    // got then only clones them (what got's own benchmark calls "normalized options"). Here a fresh clone
    // per call carries the call's headers and body, and got clones it once more.
    'got normalized': () => {
      const options = new Options(undefined, undefined, endpoint);
      Object.assign(options.headers, perCallHeaders());
      options.body = BODY;
      return streamCall(got(undefined, undefined, options));
    },
    // One normalized Options per endpoint, given the call's headers and body just before got clones it
    // (synchronously, in got()), so only got's clone is made per call.
    'got normalized reused': () => {
      shared.headers = { ...endpointHeaders, ...perCallHeaders() };
      shared.body = BODY;
      return streamCall(got(undefined, undefined, shared));
    },
    // The same, with the deadline kept by one timer of ours instead of got's timeout machinery.
    'got normalized own timer': () => {
      untimedShared.headers = { ...endpointHeaders, ...perCallHeaders() };
      untimedShared.body = BODY;
      const stream = got(undefined, undefined, untimedShared);
      const timer = setTimeout(() => stream.destroy(new Error('timeout')), 5000);
      return streamCall(stream).finally(() => clearTimeout(timer));
    },
    // The same through an instance whose one handler hands got a subclass of Options that builds node's
    // request options as one flat literal: got's own builds them by spreading two objects first, which V8
    // (Node 20) makes slow for every property after the spread.
    'got normalized lean': () => {
      shared.headers = { ...endpointHeaders, ...perCallHeaders() };
      shared.body = BODY;
      return streamCall(lean(undefined, undefined, shared));
    },
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
  printHeaderHelp(import.meta.url);
} else if (values.child) {
  process.stdout.write(String(await measure(values.child)));
} else {
  const kinds = [
    'node:http',
    'got stream',
    'got promise',
    'got normalized',
    'got normalized reused',
    'got normalized own timer',
    'got normalized lean',
    'got single clone',
    'got single clone all fields',
  ].filter((kind) => !values.only || values.only.split(',').includes(kind));
  const results = Object.fromEntries(kinds.map((kind) => [kind, []]));
  // Rounds interleave the kinds, so a burst of load from elsewhere on the machine hits all of them alike.
  for (let round = 0; round < Number(values.rounds); round++) {
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
      results[kind].push(Number(out.toString()));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const raw = median(results['node:http'] ?? [Number.NaN]);
  console.log(
    `CPU per call (client + in-process upstream), pinned to one core, c=32, median of ${values.rounds} rounds:`,
  );
  for (const kind of kinds) {
    const m = median(results[kind]);
    const spread = `${Math.min(...results[kind]).toFixed(0)}–${Math.max(...results[kind]).toFixed(0)}`;
    console.log(
      `  ${kind.padEnd(24)} ${m.toFixed(0).padStart(5)} µs (${spread})   ${(m / raw).toFixed(2)}× node:http   (+${(m - raw).toFixed(0)} µs)`,
    );
  }
}
