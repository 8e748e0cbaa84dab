/**
 * The canary: one unique token and one unique password driven through every path (success, every union
 * member, every fault, malformed documents, wrong variables, an upstream that echoes the request), then
 * every log line, every response (headers and body), every span exported (tracing is on in the first
 * gateway, OTLP/JSON to a real receiver) and the Prometheus text are searched for them. Neither may appear.
 * The error paths get their own pass: coercion, parse, validation and pipeline errors caused by the
 * client, and execution errors caused by a backend bug that throws the secrets in its message, stack
 * and cause. Both gateways log at trace level, and every line is searched.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  cspError,
  drop,
  hang,
  html,
  json,
  redirect,
  startFakeCsp,
  truncated,
  type FakeCsp,
  type Reply,
} from '../helpers/fake-csp.js';
import { createHash } from 'node:crypto';
import { type MfaBackend } from '../../src/backend/mfa-backend.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import {
  fakeJwt,
  MY_MFA,
  MY_MFA_AUDIT_LOG,
  UPDATE_MY_MFA,
  UPDATE_MY_MFA_DETAILS,
} from '../helpers/operations.js';

const hex = () => randomBytes(8).toString('hex');
/** Identifier-shaped, so it can also be written where GraphQL expects a name. */
const PASSWORD = `pwCanary_${hex()}`;
const SIGNATURE = `sigCanary_${hex()}`;
const header = (claims: Record<string, unknown>) => fakeJwt(claims).split('.').slice(0, 2).join('.');
const USER_TOKEN = `${header({ sub: 'vmwareid:canary', username: 'canary@example.com', acct: 'canary@example.com', domain: 'vmwareid' })}.${SIGNATURE}`;
const SERVICE_TOKEN = `${header({ sub: ':app', azp: 'app', cid: 'app' })}.${SIGNATURE}`;
/** Short enough to pass the mapper's identifier filter if an upstream echoes it as a request id. */
const SHORT_TOKEN = `tokCanary_${hex()}`;
const SECRETS = [PASSWORD, SIGNATURE, USER_TOKEN, SERVICE_TOKEN, SHORT_TOKEN];

interface Seen {
  readonly what: string;
  readonly status: number;
  readonly text: string;
}

let csp: FakeCsp;
let gateway: TestGateway;
/** The same gateway with a bug: a backend that throws, putting the call's secrets in what it throws. */
let buggy: TestGateway;
/** Receives the spans of `gateway` (one OpenTelemetry SDK per process: `buggy` runs without tracing). */
let receiver: OtlpReceiver;
let otel: Record<string, string> = {};
const seen: Seen[] = [];

beforeAll(async () => {
  csp = await startFakeCsp();
  receiver = await startOtlpReceiver();
  otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'secret-canary',
  };
  // The OpenTelemetry SDK reads its settings from process.env itself.
  Object.assign(process.env, otel);
  const env = {
    CSP_BASE_URL: csp.url,
    CSP_TIMEOUT_MS: '300',
    BRUTE_FORCE_MAX_ATTEMPTS: '3',
    LOG_LEVEL: 'trace',
  };
  gateway = await startGateway({ ...env, ...otel });
  buggy = await startGateway(env, { wrapBackend: throwingSecrets });
});

afterAll(async () => {
  await gateway.close();
  await buggy.close();
  for (const name of Object.keys(otel)) delete process.env[name];
  await receiver.close();
  await csp.close();
});

/** A careless backend: every call throws something that carries the token and the password. */
function throwingSecrets(backend: MfaBackend): MfaBackend {
  return {
    ...backend,
    async updateMfa(call) {
      const error = new Error(`PATCH failed for "${call.token}" with ${JSON.stringify(call)}`, {
        cause: new Error(`password was ${call.password}; token "${call.token}"`),
      });
      // What got's errors carry: the request options, headers included.
      Object.assign(error, { options: { headers: { 'csp-auth-token': call.token } }, body: call.password });
      throw error;
    },
    async getMfaStatus(call) {
      throw `status failed for ${call.token}`;
    },
    async getMfaAudit(call) {
      throw Object.assign(new TypeError(`Cannot read properties of undefined (reading '${call.token}')`), {
        token: call.token,
      });
    },
  };
}

/** Sends one raw request and records the whole answer: status, every header, the body. */
async function send(
  what: string,
  init: RequestInit & { path?: string },
  target: TestGateway = gateway,
): Promise<void> {
  const response = await fetch(`${target.url}${init.path ?? '/graphql'}`, init);
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  seen.push({ what, status: response.status, text: `${headers}\n\n${await response.text()}` });
}

function post(
  what: string,
  body: unknown,
  token: string | null = USER_TOKEN,
  extra: Record<string, string> = {},
  target: TestGateway = gateway,
) {
  const headers = {
    'content-type': 'application/json',
    ...(token ? { 'csp-auth-token': token } : {}),
    ...extra,
  };
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return send(what, { method: 'POST', headers, body: text }, target);
}

/** Every place a secret was found: a recorded answer, a log line of either gateway, an exported span, /metrics. */
async function leaks(): Promise<string[]> {
  await gateway.flushTraces();
  const exported = receiver.exports.map((e) => e.body.toString('utf8'));
  const metrics = await Promise.all(
    [gateway, buggy].map(async (g) => (await fetch(g.metricsUrl ?? '')).text()),
  );
  const found: string[] = [];
  for (const secret of SECRETS) {
    for (const s of seen)
      if (s.text.includes(secret)) found.push(`response to ${s.what}: ${s.text.slice(0, 400)}`);
    for (const line of [...gateway.logs, ...buggy.logs])
      if (line.includes(secret)) found.push(`log: ${line.slice(0, 400)}`);
    for (const body of exported) if (body.includes(secret)) found.push(`span export: ${body.slice(0, 400)}`);
    for (const text of metrics) if (text.includes(secret)) found.push('metrics text');
  }
  return found;
}

const updateVars = (password: unknown = PASSWORD, turnedOn: unknown = true) => ({
  input: { password, turnedOn },
});

async function allOperations(what: string, token: string = USER_TOKEN): Promise<void> {
  await post(`${what}: update`, { query: UPDATE_MY_MFA, variables: updateVars() }, token);
  await post(
    `${what}: update with details`,
    { query: UPDATE_MY_MFA_DETAILS, variables: updateVars() },
    token,
  );
  await post(`${what}: myMfa`, { query: MY_MFA }, token);
  await post(
    `${what}: myMfaAuditLog`,
    { query: MY_MFA_AUDIT_LOG, variables: { input: { startDate: 0, endDate: 1_767_225_600_000 } } },
    token,
  );
}

/** An upstream that echoes the request it received (headers and body) into every field it answers with. */
function echo(status: number): Reply {
  return (req: IncomingMessage, res: ServerResponse) => {
    // fake-csp records each request before it replies: the last one is this one.
    const received = csp.requests.at(-1)?.body ?? '';
    const token = String(req.headers['csp-auth-token'] ?? '');
    const password = received ? ((JSON.parse(received) as { password?: string }).password ?? '') : '';
    const everything = JSON.stringify({ headers: req.headers, body: received });
    const body =
      status === 200
        ? {
            turnedOn: true,
            activated: true,
            username: token,
            deviceName: password,
            echo: everything,
            // The audit page's strings are free text (device names), so only the scrubber stands between them and the client.
            itemsPerPage: 2,
            startIndex: 1,
            totalResults: 2,
            results: [
              { action: 'MFA_ENABLE', eventDate: 1, eventId: token, modifiedBy: token, username: token },
              {
                action: 'MFA_DISABLE',
                eventDate: 2,
                eventId: 'ev-1',
                details: { deviceName: token },
                modifiedBy: token,
                username: token,
              },
            ],
          }
        : {
            statusCode: status,
            cspErrorCode: token,
            errorCode: password,
            requestId: password || token,
            moduleCode: password,
            message: everything,
            stackTrace: everything,
            causes: [everything],
          };
    res.writeHead(status, {
      'content-type': 'application/json',
      'csp-request-id': token,
      'retry-after': password,
      'x-echo': everything.replace(/[^\x20-\x7e]/g, ''),
    });
    res.end(JSON.stringify(body));
  };
}

describe('secrets never leak', () => {
  it('keeps the token and the password out of every log line and every response', async () => {
    // Success, and every union member from the upstream.
    await allOperations('success');
    for (const status of [400, 401, 403, 404, 409, 429, 500, 418]) {
      csp.onPatch(cspError(status, {}, { 'retry-after': '7' }));
      csp.onStatus(cspError(status));
      csp.onAudit(cspError(status, {}, { 'retry-after': '7' }));
      await allOperations(`CSP ${status}`);
    }
    csp.onPatch(html(502));
    csp.onStatus(html(502));
    csp.onAudit(html(502));
    await allOperations('HTML 502');

    // Faults.
    for (const [name, reply] of [
      ['timeout', hang],
      ['reset', drop],
      ['cut-off body', truncated],
      ['redirect', redirect('http://127.0.0.1:9/elsewhere')],
    ] as const) {
      csp.onPatch(reply);
      csp.onStatus(reply);
      csp.onAudit(reply);
      await allOperations(name);
    }

    // Members decided locally: no token, a service account, the brute-force guard.
    csp.onPatch(json(200, { turnedOn: true }));
    csp.onStatus(json(200, { turnedOn: true }));
    csp.onAudit(json(200, { itemsPerPage: 20, startIndex: 1, totalResults: 0, results: [] }));
    await post('no token', { query: UPDATE_MY_MFA, variables: updateVars() }, null);
    await post('bearer garbage', { query: UPDATE_MY_MFA, variables: updateVars() }, null, {
      authorization: `Bearer ${USER_TOKEN} ${PASSWORD}`,
    });
    await allOperations('service account', SERVICE_TOKEN);
    csp.onPatch(cspError(403));
    for (let i = 0; i < 5; i++) await allOperations(`wrong password ${i} (then locked)`);

    // Malformed documents with the password written inline, in every wrong place.
    const P = PASSWORD;
    const documents = [
      `mutation { updateMyMfa(input: {password: "${P}", turnedOn: true}) { __typename `,
      `mutation { updateMyMfa(input: {password: ${P} turnedOn: true}) { __typename } }`,
      `mutation { updateMyMfa(input: {password: "${P}" turnedOn: "${P}"}) { __typename } }`,
      `mutation { updateMyMfa(input: {password: "x", turnedOn: ${P}}) { __typename } }`,
      `mutation { updateMyMfa(input: {${P}: "${P}", password: "x", turnedOn: true}) { __typename } }`,
      `mutation { updateMyMfa(input: {password: """${P}""", turnedOn: 1}) { __typename } }`,
      `mutation { updateMyMfa(password: "${P}") { __typename } }`,
      `{ ${P} }`,
      `{ myMfa(${P}: "${P}") { __typename } }`,
      `{ myMfa { ... on MfaStatus { ${P} } } }`,
      `{ myMfa @${P} { __typename } }`,
      `{ myMfa @include(if: "${P}") { __typename } }`,
      `query Q($${P}: String) { __typename }`,
      `query Q($v: ${P}) { __typename }`,
      `query Q { ...${P} }`,
      `fragment ${P} on Query { __typename } { __typename }`,
      `{ ${P}: __typename ${P}: myMfa { __typename } }`,
      `query ${P} { __typename } query ${P} { __typename }`,
      `{ __typename } "${P}`,
      `{ __typename } """${P}`,
      `{ __typename } # ${P}\n }`,
      `{ "${P}" }`,
      `${P}`,
      `{ myMfa(x: "${P}\\u00ZZ") { __typename } }`,
    ];
    for (const query of documents) {
      await post(`document ${query.slice(0, 30)}`, { query, variables: updateVars() });
      await post(`document + operationName`, { query, operationName: P });
    }
    await post('unknown operation name', { query: 'query A { __typename }', operationName: P });

    // Variables of the wrong type holding the password.
    for (const variables of [
      { input: P },
      { input: [P] },
      updateVars(P, P),
      updateVars([P], true),
      updateVars({ [P]: P }, true),
      updateVars(P, { [P]: P }),
      { input: { password: P } },
      { input: { password: P, turnedOn: true, [P]: P } },
      { input: { turnedOn: true, extra: P } },
      { input: { password: 42, turnedOn: P } },
    ]) {
      await post('wrong variables', { query: UPDATE_MY_MFA, variables });
    }
    await post('variables as a string', { query: UPDATE_MY_MFA, variables: JSON.stringify(updateVars()) });
    await post('variables as a scalar', { query: UPDATE_MY_MFA, variables: P });
    await post('extensions holding it', { query: UPDATE_MY_MFA, variables: updateVars(), extensions: { P } });
    await post(
      'broken JSON',
      `{"query": "${UPDATE_MY_MFA.replace(/\n/g, ' ')}", "variables": {"input": {"password": "${P}"`,
    );
    await post('huge body', { query: UPDATE_MY_MFA, variables: updateVars(P.repeat(10_000)) });
    await send('text/plain body', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: P });
    await send('form body', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'csp-auth-token': USER_TOKEN },
      body: `query=${P}`,
    });
    const getQuery = encodeURIComponent(
      `mutation { updateMyMfa(input: {password: "${P}", turnedOn: true}) { __typename } }`,
    );
    await send('GET mutation', {
      path: `/graphql?query=${getQuery}`,
      headers: { 'apollo-require-preflight': 'true', 'csp-auth-token': USER_TOKEN },
    });
    await send('GET syntax error', {
      path: `/graphql?query=${encodeURIComponent(`{ "${P}" `)}&variables=${encodeURIComponent(`{"${P}":`)}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    await send('unknown path', { path: `/${P}?${P}=${P}` });

    // An upstream that echoes the request body and headers, in errors and in 200s.
    for (const token of [USER_TOKEN, SHORT_TOKEN]) {
      for (const status of [200, 400, 401, 403, 404, 409, 429, 500]) {
        csp.onPatch(echo(status));
        csp.onStatus(echo(status));
        csp.onAudit(echo(status));
        await allOperations(`echo ${status}`, token === USER_TOKEN ? userWithFreshSub() : token);
      }
    }

    // The canary is live: the secrets really travelled through the gateway to the upstream.
    expect(csp.requests.some((r) => r.body.includes(PASSWORD))).toBe(true);
    expect(csp.requests.some((r) => r.headers['csp-auth-token'] === SHORT_TOKEN)).toBe(true);
    // An echoed audit page was served (scrubbed), not refused as the wrong shape.
    expect(
      seen.some((s) => s.what === 'echo 200: myMfaAuditLog' && s.text.includes('"eventId":"ev-1"')),
    ).toBe(true);
    expect(seen.length).toBeGreaterThan(150);
    expect(gateway.logs.length).toBeGreaterThan(seen.length);
    // And no answer was a crash.
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);

    expect(await leaks()).toEqual([]);
    // Spans of every CSP call were exported and searched.
    expect(receiver.spans().filter((s) => s.kind === 3).length).toBeGreaterThan(100);
  });

  it('keeps them out of every error path: coercion, parse, validation, pipeline and execution errors', async () => {
    const P = PASSWORD;
    const before = seen.length;
    const update = (input: string, head = '') =>
      `mutation U${head} { updateMyMfa(input: ${input}) { __typename } }`;

    // Coercion during execution: a nullable variable with a default, sent as null, in a non-null place.
    // graphql-js then prints the whole argument, password included (the reported leak).
    await post('argument coercion', {
      query: update(`{password: "${P}", turnedOn: $t}`, '($t: Boolean = true)'),
      variables: { t: null },
    });
    await post('argument coercion, block string', {
      query: update(`{password: """${P}""", turnedOn: $t}`, '($t: Boolean = true)'),
      variables: { t: null },
    });
    await post('argument coercion, escapes', {
      query: update(`{password: "${P}\\u0041\\n\\"", turnedOn: $t}`, '($t: Boolean = true)'),
      variables: { t: null },
    });
    await post('argument coercion, whole input from a defaulted variable', {
      query: update('$i', `($i: UpdateMyMfaInput = {password: "${P}", turnedOn: true})`),
      variables: { i: null },
    });
    await post('directive argument coercion', {
      query: `query Q($v: Boolean = true) { ${P}: myMfa @include(if: $v) { __typename } }`,
      variables: { v: null },
    });
    // Variable coercion: null for a non-null variable with a default, wrong types, lists and objects.
    for (const [what, variables] of [
      ['null for non-null with default', { t: null }],
      ['wrong type', { t: P }],
      ['list', { t: [P, P] }],
      ['object', { t: { [P]: P } }],
      ['nested', { t: { a: [{ b: P }] } }],
    ] as const) {
      await post(`variable coercion: ${what}`, {
        query: update(`{password: "${P}", turnedOn: $t}`, '($t: Boolean! = true)'),
        variables,
      });
    }
    await post('variable coercion: enum', {
      query:
        'query Q($a: [MfaAuditAction!]) { myMfaAuditLog(input: {startDate: 0, endDate: 1, actions: $a}) { __typename } }',
      variables: { a: ['MFA_ENABLE', P] },
    });
    await post('variable coercion: float', {
      query: 'query Q($s: Float!) { myMfaAuditLog(input: {startDate: $s, endDate: 1}) { __typename } }',
      variables: { s: P },
    });
    // Literals of the wrong shape (validation): lists and objects holding the password.
    for (const input of [
      `{password: ["${P}"], turnedOn: true}`,
      `{password: {x: "${P}"}, turnedOn: true}`,
      `[{password: "${P}", turnedOn: true}]`,
      `{password: "x", turnedOn: ["${P}"]}`,
      `{password: "x", turnedOn: {${P}: "${P}"}}`,
    ]) {
      await post('literal of the wrong shape', { query: update(input) });
    }
    await post('variable default of the wrong type', {
      query: update('{password: "x", turnedOn: $t}', `($t: Boolean = "${P}")`),
    });
    await post('enum literal', {
      query: `{ myMfaAuditLog(input: {startDate: 0, endDate: 1, actions: [${P}]}) { __typename } }`,
    });
    // Parse errors with the password in the offending token.
    for (const query of [
      `{ myMfa(x: "${P}`,
      `{ myMfa(x: "${P}\n") }`,
      `{ myMfa(x: """${P}`,
      `{ myMfa(x: ${P}) `,
      `{ myMfa(x: "${P}\\u00ZZ") }`,
      `{ myMfa(x: 0${P}) }`,
    ]) {
      await post('parse error', { query });
    }
    // The document limits (graphql-armor) and the pipeline (persisted queries, operation types).
    await post('too many aliases', {
      query: `{ ${Array.from({ length: 8 }, (_, i) => `${P}${i}: myMfa { __typename }`).join(' ')} }`,
    });
    await post('too many directives', { query: `{ __typename ${`@${P}`.repeat(60)} }` });
    await post('subscription', { query: `subscription ${P} { ${P} }` });
    await post('persisted query hash mismatch', {
      query: `{ ${P}: __typename }`,
      extensions: { persistedQuery: { version: 1, sha256Hash: P } },
    });
    await post('persisted query version', {
      query: '{ __typename }',
      extensions: { persistedQuery: { version: P, sha256Hash: P } },
    });
    await post('persisted query not an object', {
      query: '{ __typename }',
      extensions: { persistedQuery: P },
    });
    await post('persisted query unknown', {
      extensions: {
        persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(P).digest('hex') },
      },
    });
    const getExtensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: P } });
    await send('persisted query over GET', {
      path: `/graphql?extensions=${encodeURIComponent(getExtensions)}&query=${encodeURIComponent(`{ ${P}: __typename }`)}`,
      headers: { 'apollo-require-preflight': 'true', 'csp-auth-token': USER_TOKEN },
    });

    // Execution errors: a backend bug that throws the secrets (message, stack, cause, extra fields).
    for (const token of [USER_TOKEN, SHORT_TOKEN]) {
      await post('bug: update', { query: UPDATE_MY_MFA, variables: updateVars() }, token, {}, buggy);
      const inline = { query: update(`{password: "${P}", turnedOn: true}`) };
      await post('bug: update, inline password', inline, token, {}, buggy);
      await post('bug: myMfa', { query: MY_MFA }, token, {}, buggy);
      const audit = { query: MY_MFA_AUDIT_LOG, variables: { input: { startDate: 0, endDate: 1 } } };
      await post('bug: myMfaAuditLog', audit, token, {}, buggy);
    }

    // The canary is live: the error paths were taken, answered and logged (scrubbed), and none crashed.
    const errorPath = seen.slice(before);
    expect(errorPath.length).toBeGreaterThan(40);
    expect(errorPath.filter((s) => s.status >= 500)).toEqual([]);
    const bugLines = buggy.logs.filter((line) => line.includes('"level":"error"'));
    expect(bugLines.length).toBeGreaterThanOrEqual(8);
    expect(bugLines.filter((line) => line.includes('[redacted]')).length).toBeGreaterThanOrEqual(6);
    expect(gateway.logs.some((line) => line.includes('"msg":"client error"'))).toBe(true);
    expect(await leaks()).toEqual([]);
  });
});

let freshSub = 0;
/** The brute-force lock above is per principal; the echo passes use other principals with the same signature. */
function userWithFreshSub(): string {
  return `${header({ sub: `vmwareid:echo-${++freshSub}`, username: 'echo@example.com' })}.${SIGNATURE}`;
}
