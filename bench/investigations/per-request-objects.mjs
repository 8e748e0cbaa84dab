#!/usr/bin/env node
// Investigation (2026-12-02, third pass): what do the small objects a request makes cost on Node 20, and which
// shapes are slow? The gateway's CPU per request is spread thin (no single part above ~15 %), so each item
// here is a microsecond or two; together they say where the cheap shapes are.
// How: each case in a tight loop in this process (pinned to one core when taskset is there), warmed up, then
// timed over --iterations; prints ns per iteration, median of --rounds. Run in a fresh process: JIT state
// from one case does not leak into another's figures much, but a busy machine does, so compare within a run.
// Run: node bench/investigations/per-request-objects.mjs [--iterations 200000] [--rounds 5]
// Result (2026-12-02, Node 20.20 / V8 11.3, this 2-core VM, 100,000 iterations × 3 rounds, medians; the VM's
// speed drifted ±30 % within minutes, so read ratios within one run):
//   new AbortController().signal                         2,525 ns   (the signal is made on first read)
//   + addEventListener / removeEventListener             4,513 ns   for the three (once per upstream call)
//   ClientCancellation-like + onCancel + unregister        114 ns   (what src/http/client-cancellation.ts does)
//   { ...fields, token, requestId, cancellation }        2,127 ns   (fields added after a spread)
//   { token, requestId, get signal() {} }                  366 ns   (a literal with a getter: dictionary mode)
//   class instance + Object.assign(fields)                  79 ns   (what src/context.ts does)
//   { ...o, ...agentOptions }                            1,532 ns   (a second spread)
//   { ...o, password } overwriting a field o has           110 ns   (only new fields after a spread are slow)
//   negotiator, Accept: application/json or none         1,693 ns   (Apollo asks up to three times a request)
// So on Node 20, a field added after an object spread costs about a microsecond or more (V8 makes a new map
// each time); @apollo/server does it twice per request (requestPipeline's `{ ...requestContext,
// useLegacyIncremental }`, runHttpQuery's `{ ...graphQLResponse.http, body }`) and node's http Agent once
// (`addRequest`); src/ has none left on the request path.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import Negotiator from 'negotiator';
import { printHeaderHelp } from '../lib/header-help.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    pinned: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  printHeaderHelp(import.meta.url);
  process.exit(0);
}

// One core, as the bench pins the gateway: re-run this script under taskset once.
if (!values.pinned) {
  try {
    execFileSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1), '--pinned'], {
      stdio: 'inherit',
    });
    process.exit(0);
  } catch (error) {
    if (error.status !== undefined && error.status !== null) process.exit(error.status);
    console.error('taskset unavailable: measuring unpinned');
  }
}

const noop = () => {};

/** The same idea as src/http/client-cancellation.ts, kept here so this file runs without a build. */
class Cancellation {
  listeners = undefined;
  gone = false;
  onCancel(listener) {
    (this.listeners ??= []).push(listener);
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1;
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}

class Call {
  constructor(token, requestId, cancellation) {
    this.token = token;
    this.requestId = requestId;
    this.cancellation = cancellation;
  }
  get signal() {
    return this.cancellation;
  }
}

const cancellation = new Cancellation();
const extra = () => ({ password: 'p', turnedOn: true });
const agentOptions = { keepAlive: true, maxSockets: 256, scheduling: 'lifo' };
const ACCEPTED = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

// Each case returns something read afterwards, so the work cannot be dropped.
const CASES = {
  'new AbortController().signal': () => new AbortController().signal,
  'AbortController + signal + add/remove listener': () => {
    const { signal } = new AbortController();
    signal.addEventListener('abort', noop, { once: true });
    signal.removeEventListener('abort', noop);
    return signal;
  },
  'ClientCancellation-like + onCancel + unregister': () => {
    const c = new Cancellation();
    c.onCancel(noop)();
    return c;
  },
  '{ ...fields, token, requestId, cancellation }': () => ({
    ...extra(),
    token: 't',
    requestId: 'r',
    cancellation,
  }),
  '{ token, requestId, get signal() {} }': () => ({
    token: 't',
    requestId: 'r',
    get signal() {
      return cancellation;
    },
  }),
  'class instance + Object.assign(fields)': () => Object.assign(new Call('t', 'r', cancellation), extra()),
  '{ ...o, ...agentOptions }': () => ({ ...extra(), ...agentOptions }),
  '{ ...o, password } (field o has)': () => ({ ...extra(), password: 'q' }),
  'negotiator, Accept: application/json': () =>
    new Negotiator({ headers: { accept: 'application/json' } }).mediaType(ACCEPTED),
  'negotiator, no Accept': () => new Negotiator({ headers: { accept: undefined } }).mediaType(ACCEPTED),
};

const iterations = Number(values.iterations);
const rounds = Number(values.rounds);
let sink = 0;
const results = Object.fromEntries(Object.keys(CASES).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of Object.entries(CASES)) {
    for (let i = 0; i < iterations / 10; i++) sink += fn() ? 1 : 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += fn() ? 1 : 0;
    results[name].push(Number(process.hrtime.bigint() - started) / iterations);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `Node ${process.versions.node} (V8 ${process.versions.v8}), ${iterations} iterations × ${rounds} rounds`,
);
for (const [name, times] of Object.entries(results)) {
  console.log(
    `${name.padEnd(50)} ${median(times).toFixed(0).padStart(7)} ns  (range ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)})`,
  );
}
if (sink === 0) console.log('');
