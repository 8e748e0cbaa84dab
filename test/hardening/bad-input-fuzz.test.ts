/**
 * Bad-input fuzz against the real process (dist/src/main.js): 1,200 generated malformed requests from a
 * seeded PRNG (FUZZ_SEED=<n> to reproduce or vary). Every one must get a 4xx or a typed answer: no 5xx,
 * no internals, no crash; the process still answers /health at the end and wrote no uncaught error.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { fakeJwt, MY_MFA, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { startProcess, type GatewayProcess } from '../helpers/process.js';
import { createRng, type Rng } from './support/prng.js';
import { rawRequest } from './support/raw-http.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);
const PER_CATEGORY = 100;
const CONCURRENCY = 8;

interface HttpCase {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}
type Case = { readonly category: string } & ({ readonly http: HttpCase } | { readonly raw: string });

interface Result {
  readonly category: string;
  readonly status: number;
  readonly text: string;
  readonly contentType: string;
  readonly detail: string;
}

const ODD = [
  '\u0000',
  '\uFEFF',
  '\u202E',
  '\uD800',
  '\uDFFF',
  '\u2028',
  '\u0301\u0301\u0301',
  '😀',
  '\u00e9',
  '\\',
  '"',
  '\n',
  '\r\n',
  '\t',
  '{',
  '}',
  '$',
  '@',
  '#',
  '...',
  '\u{10FFFF}',
  'ﾟ',
];

function oddString(rng: Rng, max = 40): string {
  let s = '';
  const n = 1 + rng.int(max);
  for (let i = 0; i < n; i++) s += rng.chance(0.5) ? rng.pick(ODD) : String.fromCharCode(32 + rng.int(95));
  return s;
}

function randomJson(rng: Rng, depth = 0): unknown {
  const kind = rng.int(depth > 3 ? 5 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 3.14, 1e-300]);
    case 3:
      return oddString(rng);
    case 4:
      return '';
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: rng.int(4) }, () => [oddString(rng, 8), randomJson(rng, depth + 1)]),
      );
  }
}

const json = (body: unknown, headers: Record<string, string> = {}): HttpCase => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt(), ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const validUpdate = (password: unknown = 'pw', turnedOn: unknown = true) => ({
  query: UPDATE_MY_MFA,
  variables: { input: { password, turnedOn } },
});

const GENERATORS: Record<string, (rng: Rng) => HttpCase | { raw: string }> = {
  'broken JSON': (rng) => {
    const text = JSON.stringify(validUpdate());
    const cut = rng.int(text.length);
    const mutated = rng.chance(0.5)
      ? text.slice(0, cut)
      : text.slice(0, cut) +
        rng.pick(['"', '{', ']', ',', '\u0000', 'NaN', 'undefined', '\\x']) +
        text.slice(cut + 1);
    return json(mutated);
  },
  'wrong variable types': (rng) => {
    const where = rng.int(4);
    const value = randomJson(rng);
    if (where === 0) return json({ query: UPDATE_MY_MFA, variables: { input: value } });
    if (where === 1) return json(validUpdate(value, true));
    if (where === 2) return json(validUpdate('pw', value));
    return json({ query: UPDATE_MY_MFA, variables: value });
  },
  'missing and extra fields': (rng) => {
    const body: Record<string, unknown> = { ...validUpdate() };
    const input = { password: 'pw', turnedOn: true } as Record<string, unknown>;
    if (rng.chance(0.3)) delete body.query;
    if (rng.chance(0.3)) delete input.turnedOn;
    if (rng.chance(0.3)) delete input.password;
    if (rng.chance(0.4)) input[oddString(rng, 10)] = randomJson(rng);
    if (rng.chance(0.3)) body.operationName = rng.pick([oddString(rng), 'UpdateMyMfa', 42, null, {}]);
    if (rng.chance(0.3)) body.extensions = randomJson(rng);
    if (rng.chance(0.3)) body[oddString(rng, 10)] = randomJson(rng);
    if (rng.chance(0.2)) body.query = rng.pick([MY_MFA, 42, null, [], {}, '']);
    body.variables = rng.chance(0.8) ? { input } : randomJson(rng);
    return json(body);
  },
  'huge strings': (rng) => {
    const size = rng.pick([1_000, 30_000, 60_000, 65_000, 70_000, 200_000]);
    const filler = rng.chance(0.5) ? 'x' : rng.pick(ODD);
    const where = rng.int(3);
    if (where === 0) return json(validUpdate(filler.repeat(size)));
    if (where === 1)
      return json({ query: `${UPDATE_MY_MFA}#${filler.repeat(size)}`, variables: validUpdate().variables });
    return json({ query: MY_MFA, operationName: filler.repeat(size) });
  },
  'odd unicode and NUL bytes': (rng) => {
    const odd = oddString(rng);
    const where = rng.int(4);
    if (where === 0) return json(validUpdate(odd));
    if (where === 1) return json({ query: `{ myMfa { __typename } ${odd} }` });
    if (where === 2) return json({ query: odd });
    return json({ query: MY_MFA, operationName: odd, variables: { [odd]: odd } });
  },
  'deep nesting': (rng) => {
    const depth = rng.pick([100, 1_000, 10_000, 30_000]);
    const where = rng.int(4);
    if (where === 0)
      return json(`{"query":"{ __typename }","variables":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    if (where === 1) return json({ query: `${'{ myMfa '.repeat(depth / 10)}${'}'.repeat(depth / 10)}` });
    if (where === 2) {
      return json(
        `{"query":${JSON.stringify(UPDATE_MY_MFA)},"variables":{"input":{"password":${'{"a":'.repeat(depth / 10)}1${'}'.repeat(depth / 10)},"turnedOn":true}}}`,
      );
    }
    return json({
      query: `{ myMfa { ${'... on MfaStatus { '.repeat(depth / 100)}turnedOn${' }'.repeat(depth / 100)} } }`,
    });
  },
  'wrong content types': (rng) => {
    const contentType = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/graphql',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/jsonx',
      'json',
      ';;;',
      'application/json, text/html',
      'application/graphql-response+json',
      '*/*',
    ]);
    const body = rng.chance(0.5) ? JSON.stringify(validUpdate()) : UPDATE_MY_MFA;
    return {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': contentType, 'csp-auth-token': userJwt() },
      body,
    };
  },
  'GET for a mutation and odd GETs': (rng) => {
    const query = rng.pick([
      'mutation { updateMyMfa(input: {password: "p", turnedOn: true}) { __typename } }',
      UPDATE_MY_MFA,
      MY_MFA,
      '{ __typename }',
      oddString(rng),
    ]);
    const params = new URLSearchParams({ query });
    if (rng.chance(0.3))
      params.append('variables', rng.pick(['{', '[]', '"x"', JSON.stringify(validUpdate().variables)]));
    if (rng.chance(0.2)) params.append('query', '{ __typename }');
    if (rng.chance(0.2)) params.append('extensions', oddString(rng));
    if (rng.chance(0.2)) params.append('operationName', oddString(rng));
    const headers: Record<string, string> = { 'csp-auth-token': userJwt() };
    if (rng.chance(0.7)) headers['apollo-require-preflight'] = 'true';
    if (rng.chance(0.2)) headers['content-type'] = rng.pick(['text/plain', 'application/json']);
    if (rng.chance(0.2))
      headers.accept = rng.pick(['text/html', 'image/png', 'application/graphql-response+json', '*/*;q=0']);
    return { method: 'GET', path: `/graphql?${params.toString()}`, headers };
  },
  'empty bodies': (rng) => {
    const contentType = rng.pick(['application/json', 'text/plain', '', 'application/graphql-response+json']);
    const body = rng.pick(['', ' ', '\n', '{}', '[]', 'null', '""', '0', 'true']);
    return {
      method: 'POST',
      path: rng.pick(['/graphql', '/']),
      headers: contentType ? { 'content-type': contentType } : ({} as Record<string, string>),
      body,
    };
  },
  'invalid tokens': (rng) => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const token = rng.pick([
      ' ',
      'Bearer',
      'x'.repeat(20_000),
      'x'.repeat(16_384),
      `${b64('{}')}.${b64('not json')}.sig`,
      `${b64('{}')}.${b64('[1,2]')}.sig`,
      `${b64('{}')}.${b64('null')}.sig`,
      `${b64('{}')}.${b64(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)}.sig`,
      fakeJwt({ sub: { nested: true }, username: ['x'], exp: 'soon', azp: 1 }),
      fakeJwt({ cid: 'app' }),
      '..',
      '.',
      oddString(rng).replace(/[^\x21-\x7e]/g, '?'),
      Buffer.from(oddString(rng)).toString('base64'),
    ]);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const where = rng.int(3);
    if (where === 0) headers['csp-auth-token'] = token;
    else if (where === 1)
      headers.authorization = `${rng.pick(['Bearer ', 'bearer', 'Basic ', 'Bearer  ', ''])}${token}`;
    else Object.assign(headers, { 'csp-auth-token': token, authorization: `Bearer ${userJwt()}` });
    if (rng.chance(0.3))
      headers['x-request-id'] = rng.pick([
        '',
        ' ',
        'x'.repeat(500),
        '../../etc',
        'a b',
        oddString(rng).replace(/[^\x20-\x7e]/g, ''),
      ]);
    return {
      method: 'POST',
      path: '/graphql',
      headers,
      body: JSON.stringify(rng.chance(0.5) ? validUpdate() : { query: MY_MFA }),
    };
  },
  'methods and paths': (rng) => {
    const method = rng.pick(['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'GET', 'POST']);
    const path = rng.pick([
      '/graphql',
      '/',
      '/health',
      '/ready',
      '/graphql/',
      '/GRAPHQL',
      '/graphql;x',
      '/graphql?',
      '/%2e%2e/',
      '/..',
      `/${'a'.repeat(8_000)}`,
    ]);
    const headers: Record<string, string> = {};
    if (rng.chance(0.5)) headers.origin = rng.pick(['https://evil.example', 'null', 'http://localhost:3000']);
    if (rng.chance(0.5)) headers['access-control-request-method'] = rng.pick(['POST', 'DELETE', 'X']);
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      headers['content-type'] = 'application/json';
      return { method, path, headers, body: JSON.stringify(validUpdate()) };
    }
    return { method, path, headers };
  },
  'raw malformed HTTP': (rng) => {
    const body = JSON.stringify(validUpdate());
    return {
      raw: rng.pick([
        `GARBAGE\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\n{}}\r\n0\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\ncsp-auth-token: a\u0000b\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\ncsp-auth-token: caf\u00e9\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nx-request-id: \u00ff\u00fe\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        `GET /graphql HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n`,
        `GET /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
        `GET * HTTP/1.1\r\nHost: x\r\n\r\n`,
        `OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET http://evil.example/graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\napollo-require-preflight: 1\r\n\r\n`,
        `GET //graphql HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET //evil.example:99999/x HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /%ZZ?query=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /graphql?query=%7B__typename HTTP/1.1\r\nHost: x\r\napollo-require-preflight: 1\r\n\r\n`,
        `GET /graphql HTTP/1.0\r\n\r\n`,
        `GET /graphql\r\n\r\n`,
        `GET /graphql HTTP/2.0\r\nHost: x\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"query":`,
      ]),
    };
  },
};

const INTERNALS = [
  /\bat [^\n]*\(?[^\n]*:\d+:\d+\)?/, // stack frames
  /(?:\/src\/|\/dist\/|node_modules|\.ts:\d|\.js:\d)/, // file paths
  /Unexpected error/i,
  /INTERNAL_SERVER_ERROR/,
];

async function run(gateway: GatewayProcess, fuzz: Case): Promise<Result> {
  const port = Number(new URL(gateway.url).port);
  if ('raw' in fuzz) {
    const answer = await rawRequest(port, Buffer.from(fuzz.raw, 'latin1'));
    const [head = '', ...rest] = answer.text.split('\r\n\r\n');
    const contentType = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? '';
    return {
      category: fuzz.category,
      status: answer.status,
      text: rest.join('\r\n\r\n'),
      contentType,
      detail: fuzz.raw.slice(0, 120),
    };
  }
  const { method, path, headers, body } = fuzz.http;
  try {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers,
      // A hang is a finding, not a stuck test run.
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined ? {} : { body }),
    });
    return {
      category: fuzz.category,
      status: response.status,
      text: await response.text(),
      contentType: response.headers.get('content-type') ?? '',
      detail: `${method} ${path.slice(0, 80)} ${JSON.stringify(headers).slice(0, 120)} ${(body ?? '').slice(0, 160)}`,
    };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      return {
        category: fuzz.category,
        status: 0,
        text: 'no answer within 10 s',
        contentType: '',
        detail: `${method} ${path.slice(0, 80)}`,
      };
    }
    // fetch itself refuses some generated headers (not a ByteString): not a server outcome.
    return {
      category: fuzz.category,
      status: -1,
      text: String(error),
      contentType: '',
      detail: `${method} ${path.slice(0, 80)}`,
    };
  }
}

/** A 4xx, or a 2xx whose body is a GraphQL answer (typed data or coded errors), or a page the client asked for. */
function verdict(result: Result): string | null {
  if (result.status >= 500) return `status ${result.status}`;
  if (result.status === 0 && !result.category.startsWith('raw')) return 'no answer';
  for (const pattern of INTERNALS) if (pattern.test(result.text)) return `internals (${pattern.source})`;
  // HEAD answers carry the headers of a JSON answer and no body.
  if (
    result.status >= 200 &&
    result.status < 300 &&
    result.contentType.includes('json') &&
    result.text !== ''
  ) {
    const body = JSON.parse(result.text) as {
      data?: unknown;
      errors?: Array<{ extensions?: { code?: unknown } }>;
      status?: unknown;
    };
    if (body.status !== undefined) return null; // /health, /ready
    if (body.errors?.some((e) => typeof e.extensions?.code !== 'string')) return 'error without a code';
    if (body.data === undefined && !body.errors) return 'neither data nor errors';
  }
  return null;
}

let csp: FakeCsp;
let gateway: GatewayProcess;

beforeAll(async () => {
  csp = await startFakeCsp();
  gateway = await startProcess({ CSP_BASE_URL: csp.url, LOG_LEVEL: 'info', CSP_TIMEOUT_MS: '2000' });
});

afterAll(async () => {
  gateway.child.kill('SIGTERM');
  await gateway.exited();
  await csp.close();
});

describe('bad-input fuzz against the real process', () => {
  it(`answers every malformed request with a 4xx or a typed answer (seed ${SEED})`, async () => {
    const rng = createRng(SEED);
    const cases: Case[] = [];
    for (const [category, generate] of Object.entries(GENERATORS)) {
      for (let i = 0; i < PER_CATEGORY; i++) {
        const generated = generate(rng);
        cases.push(
          'raw' in generated
            ? { category, raw: generated.raw as string }
            : { category, http: generated as HttpCase },
        );
      }
    }
    expect(cases.length).toBeGreaterThanOrEqual(1_000);

    const results: Result[] = [];
    let cursor = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (cursor < cases.length) {
          const fuzz = cases[cursor++] as Case;
          results.push(await run(gateway, fuzz));
        }
      }),
    );

    const counts: Record<string, number> = {};
    for (const r of results) {
      const outcome =
        r.status === -1 ? 'refused by fetch' : r.status === 0 ? 'closed without answer' : String(r.status);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    console.log(`fuzz seed ${SEED}: ${results.length} requests → ${JSON.stringify(counts)}`);

    const failures = results
      .map((r) => ({ r, why: verdict(r) }))
      .filter((f) => f.why !== null)
      .map(({ r, why }) => `${why} [${r.category}] ${r.detail}\n  → ${r.text.slice(0, 300)}`);
    expect(failures).toEqual([]);
    // fetch refusals are the client's doing; keep them a small part of the run.
    expect(counts['refused by fetch'] ?? 0).toBeLessThan(results.length / 10);

    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(gateway.child.exitCode).toBeNull();
    const stderr = gateway.stderr.join('');
    expect(stderr).not.toMatch(/uncaught|unhandled|Error:|\n\s+at /i);
    const errorLines = gateway.stdout
      .join('')
      .split('\n')
      .filter((line) => line.includes('"level":"error"'));
    expect(errorLines).toEqual([]);
  });
});
