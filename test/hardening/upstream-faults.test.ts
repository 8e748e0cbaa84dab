/**
 * Every way an upstream can misbehave, against a real local server: each answers a typed member
 * within the configured timeout (+ margin), the gateway stays up, and nothing is followed elsewhere.
 */
import { type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  drop,
  empty,
  hang,
  json,
  PATCH_PATH,
  redirect,
  startFakeCsp,
  STATUS_PATH,
  truncated,
  type FakeCsp,
  type Reply,
} from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { MY_MFA, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { freePort } from './support/redis-server.js';

const TIMEOUT_MS = 500;
/** Generous: a loaded CI machine, jest workers and GC pauses all fit in it. */
const BOUND_MS = TIMEOUT_MS + 2_000;

let csp: FakeCsp;
let elsewhere: FakeCsp;
let gateway: TestGateway;
const sockets = new Set<ServerResponse>();

beforeAll(async () => {
  csp = await startFakeCsp();
  elsewhere = await startFakeCsp();
  gateway = await startGateway({ CSP_BASE_URL: csp.url, CSP_TIMEOUT_MS: String(TIMEOUT_MS) });
});

afterAll(async () => {
  for (const res of sockets) res.destroy();
  await gateway.close();
  await csp.close();
  await elsewhere.close();
});

afterEach(() => {
  csp.requests.length = 0;
});

const tracked =
  (reply: Reply): Reply =>
  (req, res) => {
    sockets.add(res);
    res.on('close', () => sockets.delete(res));
    reply(req, res);
  };

function htmlPage(status: number): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${status}</h1><pre>upstream trouble</pre></body></html>`);
  };
}

/** Headers only after twice the timeout. */
const slowHeaders: Reply = (_req, res) => {
  setTimeout(() => {
    if (!res.destroyed) json(200, { turnedOn: true, activated: true })(_req, res);
  }, TIMEOUT_MS * 2);
};

/** Headers at once, then one byte every 50 ms: the body trickles past the timeout. */
const slowBody: Reply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(' ');
  }, 50);
  res.on('close', () => clearInterval(timer));
};

/** Headers and half a body, then a TCP reset. */
const resetMidBody: Reply = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"turnedOn": tr');
  setTimeout(() => req.socket.resetAndDestroy(), 20);
};

/** 64 MiB of JSON whitespace, as fast as the client reads it. */
const huge: Reply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = 1024;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      left--;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('{}');
  };
  pump();
};

const nonJson: Reply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('turnedOn=true');
};

type Case = readonly [name: string, reply: Reply, patchMember: string, statusMember: string];

const CASES: readonly Case[] = [
  ['slow headers', slowHeaders, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  [
    'slow body (trickle past the timeout)',
    slowBody,
    'MfaUpstreamUnavailableError',
    'MfaUpstreamUnavailableError',
  ],
  ['hang', hang, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['reset before any answer', drop, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['reset mid-body', resetMidBody, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  [
    'cut-off body (short of content-length)',
    truncated,
    'MfaUpstreamUnavailableError',
    'MfaUpstreamUnavailableError',
  ],
  ['HTML 502', htmlPage(502), 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['HTML 503', htmlPage(503), 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['HTML 504', htmlPage(504), 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['HTML 500', htmlPage(500), 'MfaUnexpectedError', 'MfaUnexpectedError'],
  ['200 with an empty body', empty(200), 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['200 with non-JSON', nonJson, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  [
    '200 with JSON of the wrong shape',
    json(200, { turnedOn: 'yes', activated: 1, username: ['x'] }),
    'MfaUpstreamUnavailableError',
    'MfaUpstreamUnavailableError',
  ],
  [
    '200 with a JSON array',
    json(200, [{ turnedOn: true }]),
    'MfaUpstreamUnavailableError',
    'MfaUpstreamUnavailableError',
  ],
  ['huge body (64 MiB; cut at 1 MiB)', huge, 'MfaUpstreamUnavailableError', 'MfaUpstreamUnavailableError'],
  ['undocumented status 418', json(418, { message: 'teapot' }), 'MfaUnexpectedError', 'MfaUnexpectedError'],
];

async function timed(query: string, variables?: Record<string, unknown>) {
  const started = performance.now();
  const answer = await gateway.graphql<Record<string, { __typename: string }>>(query, variables, {
    'csp-auth-token': userJwt(),
  });
  const ms = Math.round(performance.now() - started);
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  const member = Object.values(answer.body.data ?? {})[0];
  return { typename: member?.__typename, ms };
}

async function expectHealthy(): Promise<void> {
  const health = await fetch(`${gateway.url}/health`);
  expect(health.status).toBe(200);
}

describe('upstream faults', () => {
  it.each(CASES)(
    '%s → a typed member within the timeout, and the gateway stays up',
    async (name, reply, onPatch, onStatus) => {
      csp.onPatch(tracked(reply));
      csp.onStatus(tracked(reply));
      const update = await timed(UPDATE_MY_MFA, { input: { password: 'correct horse', turnedOn: true } });
      console.log(`updateMyMfa, ${name} → ${update.typename} in ${update.ms} ms`);
      const read = await timed(MY_MFA);
      console.log(`myMfa, ${name} → ${read.typename} in ${read.ms} ms`);
      expect(update.typename).toBe(onPatch);
      expect(read.typename).toBe(onStatus);
      expect(update.ms).toBeLessThan(BOUND_MS);
      expect(read.ms).toBeLessThan(BOUND_MS);
      await expectHealthy();
    },
  );

  it('never follows a redirect: the other host receives nothing', async () => {
    csp.onPatch(redirect(`${elsewhere.url}${PATCH_PATH}`));
    csp.onStatus(redirect(`${elsewhere.url}${STATUS_PATH}`));
    const update = await timed(UPDATE_MY_MFA, { input: { password: 'correct horse', turnedOn: true } });
    const read = await timed(MY_MFA);
    console.log(
      `redirect to another host → ${update.typename} / ${read.typename} in ${update.ms} / ${read.ms} ms`,
    );
    expect(update.typename).toBe('MfaUnexpectedError');
    expect(read.typename).toBe('MfaUnexpectedError');
    expect(elsewhere.requests).toHaveLength(0);
    await expectHealthy();
  });

  it('keeps memory sane while cutting huge answers', async () => {
    csp.onPatch(tracked(huge));
    csp.onStatus(tracked(huge));
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 10; i++) {
      expect((await timed(MY_MFA)).typename).toBe('MfaUpstreamUnavailableError');
    }
    global.gc?.();
    const grownMiB = (process.memoryUsage().rss - before) / 1_048_576;
    console.log(`10 × 64 MiB answers → RSS grew ${grownMiB.toFixed(1)} MiB`);
    // Ten uncut answers would be 640 MiB; the cut keeps each under about 1 MiB.
    expect(grownMiB).toBeLessThan(128);
    await expectHealthy();
  });

  it('answers MfaUpstreamUnavailableError when the connection is refused', async () => {
    const port = await freePort();
    const refused = await startGateway({
      CSP_BASE_URL: `http://127.0.0.1:${port}`,
      CSP_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    try {
      const started = performance.now();
      const answer = await refused.graphql<{ myMfa: { __typename: string } }>(MY_MFA, undefined, {
        'csp-auth-token': userJwt(),
      });
      const ms = Math.round(performance.now() - started);
      console.log(`connection refused → ${answer.body.data?.myMfa.__typename} in ${ms} ms`);
      expect(answer.body.data?.myMfa.__typename).toBe('MfaUpstreamUnavailableError');
      expect(ms).toBeLessThan(BOUND_MS);
      expect((await fetch(`${refused.url}/health`)).status).toBe(200);
    } finally {
      await refused.close();
    }
  });
});
