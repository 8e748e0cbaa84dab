/**
 * OpenTelemetry traces from the real gateway process (dist/src/main.js), configured only by OTEL_*
 * variables, exported to a real OTLP/HTTP receiver in this test; the CSP stand-in sees the propagated
 * trace context. Without any OTEL_* variable, no OpenTelemetry SDK module is loaded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cspError, drop, json, PATCH_PATH, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '../helpers/otlp-receiver.js';
import { startProcess, type GatewayProcess } from '../helpers/process.js';

const PROBE = fileURLToPath(new URL('../helpers/module-probe.mjs', import.meta.url));
const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
const PASSWORD = `pw_${randomBytes(8).toString('hex')}`;
const TOKEN = userJwt({ sub: `vmwareid:${randomBytes(4).toString('hex')}` });

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not seen in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function post(gateway: GatewayProcess, query: string, variables: unknown, headers: Record<string, string>) {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'csp-auth-token': TOKEN, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

/** The JSON log lines the process wrote. */
const logLines = (gateway: GatewayProcess) =>
  gateway.stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('tracing with OTEL_* set (OTLP over http/json)', () => {
  let csp: FakeCsp;
  let receiver: OtlpReceiver;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    csp = await startFakeCsp();
    receiver = await startOtlpReceiver();
    gateway = await startProcess({
      CSP_BASE_URL: csp.url,
      LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'mfa-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
  });

  afterAll(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited();
    await receiver.close();
    await csp.close();
  });

  it("continues the router's trace: server span, operation span, CSP client span, and traceparent to CSP", async () => {
    const traceId = hex(16);
    const routerSpanId = hex(8);
    csp.onPatch(json(200, { turnedOn: true }, { 'csp-request-id': 'csp-patch-id' }));
    const response = await post(
      gateway,
      UPDATE_MY_MFA,
      { input: { password: PASSWORD, turnedOn: true } },
      {
        traceparent: `00-${traceId}-${routerSpanId}-01`,
        'x-request-id': 'traced-request-1',
      },
    );
    expect(response.status).toBe(200);

    const spans = await waitFor(() => {
      const found = receiver.spans().filter((s) => s.traceId === traceId);
      return found.length >= 3 ? found : undefined;
    }, 'three spans of the trace');
    const byKind = (kind: number) => spans.filter((s) => s.kind === kind);
    const [server] = byKind(SPAN_KIND.server) as [OtlpSpan];
    const [operation] = byKind(SPAN_KIND.internal) as [OtlpSpan];
    const [client] = byKind(SPAN_KIND.client) as [OtlpSpan];

    expect(server).toMatchObject({
      name: 'POST /graphql',
      parentSpanId: routerSpanId,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/graphql',
        'http.response.status_code': 200,
      },
    });
    expect(operation).toMatchObject({
      name: 'mutation UpdateMyMfa',
      parentSpanId: server.spanId,
      attributes: { 'graphql.operation.name': 'UpdateMyMfa', 'graphql.operation.type': 'mutation' },
    });
    expect(client).toMatchObject({
      name: `PATCH ${PATCH_PATH}`,
      parentSpanId: operation.spanId,
      attributes: {
        'http.request.method': 'PATCH',
        'url.template': PATCH_PATH,
        'http.response.status_code': 200,
        'csp.request_id': 'csp-patch-id',
      },
    });
    expect(server.resource['service.name']).toBe('mfa-under-test');

    // CSP got the trace context of the client span.
    const patch = csp.requests.find(
      (r) => r.method === 'PATCH' && r.headers['x-request-id'] === 'traced-request-1',
    );
    expect(patch?.headers.traceparent).toBe(`00-${traceId}-${client.spanId}-01`);

    // No secret in anything exported.
    const exported = receiver.exports.map((e) => e.body.toString('utf8')).join('\n');
    expect(exported).not.toContain(PASSWORD);
    expect(exported).not.toContain(TOKEN);
    expect(exported).not.toContain(TOKEN.split('.')[1]);
  });

  it('marks a failed CSP call on its span with the status and error.type', async () => {
    const traceId = hex(16);
    csp.onPatch(cspError(403, {}, { 'csp-request-id': 'csp-denied-id' }));
    await post(
      gateway,
      UPDATE_MY_MFA,
      { input: { password: PASSWORD, turnedOn: true } },
      {
        traceparent: `00-${traceId}-${hex(8)}-01`,
      },
    );
    const client = await waitFor(
      () => receiver.spans().find((s) => s.traceId === traceId && s.kind === SPAN_KIND.client),
      'the client span',
    );
    expect(client.attributes).toMatchObject({
      'http.response.status_code': 403,
      'error.type': '403',
      'csp.request_id': 'csp-denied-id',
    });
    expect(client.status.code).toBe(2);
  });

  it('starts its own trace without a traceparent, and bounds operation names', async () => {
    await post(gateway, `query pw_${PASSWORD} { myMfa { __typename } }`, undefined, {
      'x-request-id': 'untraced-caller',
    });
    const operation = await waitFor(
      () =>
        receiver
          .spans()
          .find((s) => s.kind === SPAN_KIND.internal && s.attributes['graphql.operation.type'] === 'query'),
      'the operation span',
    );
    expect(operation.name).toBe('query other');
    expect(operation.attributes['graphql.operation.name']).toBe('other');
    const server = receiver.spans().find((s) => s.spanId === operation.parentSpanId);
    expect(server?.parentSpanId).toBe('');
  });

  it('puts trace_id and span_id on every log line of a request, next to its request id', async () => {
    const traceId = hex(16);
    csp.onPatch(drop);
    await post(
      gateway,
      UPDATE_MY_MFA,
      { input: { password: PASSWORD, turnedOn: true } },
      {
        traceparent: `00-${traceId}-${hex(8)}-01`,
        'x-request-id': 'joined-logs-1',
      },
    );
    const lines = await waitFor(() => {
      const mine = logLines(gateway).filter((l) => l.requestId === 'joined-logs-1');
      return mine.some((l) => l.msg === 'request finished') ? mine : undefined;
    }, "the request's log lines");
    // At least the CSP client's 'CSP call failed' and the HTTP layer's 'request finished'.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    }
  });
});

describe('tracing without OTEL_*', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'otel-probe-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function loadedModules(env: Record<string, string>): Promise<string[]> {
    const file = path.join(dir, `${hex(4)}.txt`);
    const csp = await startFakeCsp();
    let gateway: GatewayProcess | undefined;
    try {
      gateway = await startProcess(
        { CSP_BASE_URL: csp.url, LOG_LEVEL: 'info', MODULE_PROBE_FILE: file, ...env },
        [],
        ['--import', PROBE],
      );
      // A whole request, so anything loaded on first use is loaded too.
      const answer = await post(gateway, UPDATE_MY_MFA, { input: { password: 'p', turnedOn: true } }, {});
      expect(answer.status).toBe(200);
    } finally {
      gateway?.child.kill('SIGTERM');
      await gateway?.exited();
      await csp.close();
    }
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** The OpenTelemetry API alone is a no-op facade; prom-client's CPU metric requires it for exemplars. */
  const API_ONLY = /@opentelemetry\/api(?:$|\/)/;

  it('loads no OpenTelemetry SDK module (and the probe does see them when tracing is on)', async () => {
    const withoutTracing = await loadedModules({});
    expect(withoutTracing.filter((m) => !API_ONLY.test(m))).toEqual([]);
    // With metrics off as well, not even the API.
    expect(await loadedModules({ METRICS_PORT: 'off' })).toEqual([]);
    const withTracing = await loadedModules({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(withTracing.some((m) => m.includes('@opentelemetry/sdk-node'))).toBe(true);
  });
});
