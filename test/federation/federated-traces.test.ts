/**
 * Federated traces (ftv1): a router that captures traces asks each subgraph with
 * `apollo-federation-include-trace: ftv1` and folds the answer's `extensions.ftv1` into its query-plan
 * trace. Here a real @apollo/gateway router asks this subgraph (real HTTP on port 0) and gets them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { type ApolloServerPlugin } from '@apollo/server';
import { parse } from 'graphql';
import { json, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startRouter, type RouterContext, type TestRouter } from '../helpers/router.js';
import { UPDATE_MY_MFA, UPDATE_MY_MFA_DETAILS, userJwt } from '../helpers/operations.js';

const COMMITTED_SDL = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
const PASSWORD = 'pw-ftv1-canary-9f3a';

/** The parts of Apollo's decoded Trace (usage-reporting protobuf) this test reads. */
interface TraceNode {
  responseName?: string | null;
  child?: TraceNode[] | null;
  error?: Array<{ message?: string | null; json?: string | null }> | null;
}
interface QueryPlanNode {
  fetch?: { serviceName?: string | null; trace?: { root?: TraceNode | null } | null } | null;
  sequence?: { nodes?: QueryPlanNode[] | null } | null;
  parallel?: { nodes?: QueryPlanNode[] | null } | null;
}

function fetchesOf(node: QueryPlanNode | undefined): NonNullable<QueryPlanNode['fetch']>[] {
  if (!node) return [];
  return [
    ...(node.fetch ? [node.fetch] : []),
    ...(node.sequence?.nodes ?? []).flatMap(fetchesOf),
    ...(node.parallel?.nodes ?? []).flatMap(fetchesOf),
  ];
}

function flatten(node: TraceNode | null | undefined): TraceNode[] {
  return node ? [node, ...(node.child ?? []).flatMap(flatten)] : [];
}

describe('federated traces (ftv1)', () => {
  let csp: FakeCsp;
  let subgraph: TestGateway;
  let router: TestRouter['server'];
  let routerUrl: string;
  let captureTraces = true;
  const planTraces: QueryPlanNode[] = [];
  const askedForTrace: (string | null)[] = [];

  beforeAll(async () => {
    csp = await startFakeCsp();
    subgraph = await startGateway({ CSP_BASE_URL: csp.url, LOG_LEVEL: 'silent' });
    const composed = composeServices([
      { name: 'mfa', typeDefs: parse(COMMITTED_SDL), url: subgraph.graphqlUrl },
    ]);
    if (!composed.supergraphSdl) throw new Error(JSON.stringify(composed.errors));
    // What Apollo's usage reporting does in a router that reports traces: capture them for this request.
    const capture: ApolloServerPlugin<RouterContext> = {
      async requestDidStart({ metrics }) {
        metrics.captureTraces = captureTraces;
        return {
          async willSendResponse({ metrics: done }) {
            planTraces.push((done.queryPlanTrace ?? {}) as QueryPlanNode);
          },
        };
      },
    };
    ({ server: router, url: routerUrl } = await startRouter(composed.supergraphSdl, {
      plugins: [capture],
      onSubgraphRequest: (request) =>
        askedForTrace.push(request.http?.headers.get('apollo-federation-include-trace') ?? null),
    }));
  });

  afterAll(async () => {
    await router.stop();
    await subgraph.close();
    await csp.close();
  });

  afterEach(() => {
    captureTraces = true;
    planTraces.length = 0;
    askedForTrace.length = 0;
    csp.onStatus(json(200, { turnedOn: true }));
  });

  async function viaRouter(query: string, variables: Record<string, unknown>) {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  }

  const input = { input: { password: PASSWORD, turnedOn: true } };

  it('gives the router an inline trace of the fields it resolved when the router asks', async () => {
    const answer = await viaRouter(UPDATE_MY_MFA, input);
    expect(answer.data?.updateMyMfa).toMatchObject({ __typename: 'MfaStatus' });
    expect(askedForTrace).toEqual(['ftv1']);
    const [fetch] = fetchesOf(planTraces[0]);
    expect(fetch?.serviceName).toBe('mfa');
    const names = flatten(fetch?.trace?.root).map((n) => n.responseName);
    expect(names).toEqual(expect.arrayContaining(['updateMyMfa', 'turnedOn']));
  });

  it("masks error messages in the trace (they can quote the client's document)", async () => {
    csp.onStatus(json(503, { message: PASSWORD }));
    const answer = await viaRouter(UPDATE_MY_MFA_DETAILS, input);
    expect(answer.errors).toBeDefined();
    const [fetch] = fetchesOf(planTraces[0]);
    const errors = flatten(fetch?.trace?.root).flatMap((n) => n.error ?? []);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.message).toBe('<masked>');
      expect(JSON.stringify(error)).not.toContain(PASSWORD);
    }
  });

  it('adds no trace when the router does not ask', async () => {
    captureTraces = false;
    await viaRouter(UPDATE_MY_MFA, input);
    expect(askedForTrace).toEqual([null]);
    const direct = await subgraph.graphql<{ updateMyMfa: unknown }>(UPDATE_MY_MFA, input, {
      'csp-auth-token': userJwt(),
    });
    expect(direct.body).not.toHaveProperty('extensions.ftv1');
    const asked = await fetch(subgraph.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'csp-auth-token': userJwt(),
        'apollo-federation-include-trace': 'ftv1',
      },
      body: JSON.stringify({ query: UPDATE_MY_MFA, variables: input }),
    });
    const body = (await asked.json()) as { extensions?: { ftv1?: string } };
    expect(body.extensions?.ftv1).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});
