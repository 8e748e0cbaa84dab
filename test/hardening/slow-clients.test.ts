/**
 * Slow and stalled clients against the real listener, over raw sockets: header and body deadlines cut
 * them, and the connection cap keeps their number bounded while /health and GraphQL stay answerable.
 * Small configured values keep it fast; every wait is bounded, none measures speed.
 */
import net from 'node:net';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_STATUS, json, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { userJwt } from '../helpers/operations.js';
import { waitFor } from '../helpers/wait-for.js';

/** A client connection seen from outside: what the server sent, and whether it closed. */
interface ClientSocket {
  readonly socket: net.Socket;
  readonly received: () => string;
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

function portOf(gateway: TestGateway): number {
  return Number(new URL(gateway.url).port);
}

async function connect(port: number): Promise<ClientSocket> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closedPromise = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed: closedPromise, isClosed: () => closed };
}

/** Resolves true when `promise` settles within `ms`, false otherwise: a bounded wait, not a speed check. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return result;
}

/** Writes `text` one byte at a time, `everyMs` apart, until it is written or the socket closes. */
function drip(client: ClientSocket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (client.isClosed() || i >= text.length) {
      clearInterval(timer);
      return;
    }
    client.socket.write(text[i++] ?? '');
  }, everyMs);
}

const BODY = JSON.stringify({ query: '{ __typename }' });

let csp: FakeCsp;

beforeAll(async () => {
  csp = await startFakeCsp();
});

afterAll(async () => {
  await csp.close();
});

describe('request deadlines', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      HEADERS_TIMEOUT_MS: '300',
      REQUEST_TIMEOUT_MS: '600',
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it('cuts a client that sends its headers too slowly, even while bytes keep coming', async () => {
    const client = await connect(portOf(gateway));
    client.socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    drip(client, `x-slow: ${'a'.repeat(500)}\r\n\r\n`, 20);
    expect(await within(client.closed, 5_000)).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts a client that sends its body too slowly', async () => {
    const client = await connect(portOf(gateway));
    client.socket.write(
      'POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n' +
        `content-length: ${BODY.length}\r\n\r\n`,
    );
    drip(client, BODY, 100);
    expect(await within(client.closed, 5_000)).toBe(true);
    // Never answered as if the request were complete.
    expect(client.received()).not.toMatch(/^HTTP\/1\.1 200 /);
  });

  it('still serves a request sent in time', async () => {
    const answer = await gateway.graphql('{ __typename }');
    expect(answer.body.data).toEqual({ __typename: 'Query' });
  });
});

describe('connection cap', () => {
  it('makes room for new connections by closing the oldest stalled ones, and logs it once', async () => {
    // Long deadlines: only the cap closes anything here.
    const gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      MAX_CONNECTIONS: '3',
      HEADERS_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
    });
    const stalled: ClientSocket[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const client = await connect(portOf(gateway));
        // Half stall in their headers, half in their body.
        client.socket.write(
          i % 2 === 0
            ? 'POST /graphql HTTP/1.1\r\nHost: x\r\n'
            : 'POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n' +
                `content-length: ${BODY.length}\r\n\r\n${BODY.slice(0, 5)}`,
        );
        stalled.push(client);
      }
      const health = await fetch(`${gateway.url}/health`);
      expect(health.status).toBe(200);

      // 8 stalled + 1 health connection against a cap of 3: the six oldest stalled ones made room.
      expect(await within(Promise.all(stalled.slice(0, 6).map((c) => c.closed)), 5_000)).toBe(true);
      expect(stalled.slice(6).map((c) => c.isClosed())).toEqual([false, false]);
      expect(stalled.every((c) => c.received() === '')).toBe(true);

      const capLines = gateway.logs
        .map((line) => JSON.parse(line) as { level: string; evicted?: number; maxConnections?: number })
        .filter((entry) => entry.maxConnections === 3);
      expect(capLines).toHaveLength(1);
      expect(capLines[0]?.level).toBe('warn');

      for (const client of stalled) client.socket.destroy();
      const answer = await gateway.graphql<{ myMfa: { __typename: string } }>(
        '{ myMfa { __typename } }',
        undefined,
        { 'csp-auth-token': userJwt() },
      );
      expect(answer.body.data?.myMfa.__typename).toBe('MfaStatus');
    } finally {
      for (const client of stalled) client.socket.destroy();
      await gateway.close();
    }
  });

  it('turns new connections away while every connection is being answered, and serves again after', async () => {
    const held: Array<[IncomingMessage, ServerResponse]> = [];
    csp.onStatus((req, res) => held.push([req, res]));
    const gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      MAX_CONNECTIONS: '2',
      CSP_TIMEOUT_MS: '60000',
    });
    const busy: ClientSocket[] = [];
    try {
      const request =
        'GET /graphql?query=%7BmyMfa%7B__typename%7D%7D HTTP/1.1\r\nHost: x\r\n' +
        `apollo-require-preflight: true\r\ncsp-auth-token: ${userJwt()}\r\n\r\n`;
      for (let i = 0; i < 2; i++) {
        const client = await connect(portOf(gateway));
        client.socket.write(request);
        busy.push(client);
      }
      // Both requests are being answered: each waits on its own upstream call.
      expect(await waitFor(() => held.length === 2, 5_000)).toBe(true);

      const turnedAway = await connect(portOf(gateway));
      turnedAway.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await within(turnedAway.closed, 5_000)).toBe(true);
      expect(turnedAway.received()).toBe('');

      for (const [req, res] of held) json(200, DEFAULT_STATUS)(req, res);
      expect(await waitFor(() => busy.every((c) => /^HTTP\/1\.1 200 /.test(c.received())), 5_000)).toBe(true);

      // The answered connections idle in keep-alive: a new one takes an idle one's place.
      const health = await fetch(`${gateway.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      for (const client of busy) client.socket.destroy();
      csp.onStatus(json(200, DEFAULT_STATUS));
      await gateway.close();
    }
  });
});
