// The four things the bench measures, each as: how to start it, what request to send, and what
// a correct answer looks like. All of them reach the same upstream stub with the same token/body.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode, startNodeOnFreePort } from './processes.mjs';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(BENCH_DIR, '..');
const PEER_DIR = path.join(BENCH_DIR, 'peer');
const HIVE_BIN = path.join(PEER_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');
const COMPOSE_BIN = path.join(PEER_DIR, 'node_modules/@graphql-mesh/compose-cli/esm/bin.js');
// 1.0.0: later releases need glibc 2.38 or newer.
const TAILCALL_BIN = path.join(PEER_DIR, 'node_modules/@tailcallhq/core-linux-x64-gnu/bin/tailcall');

export const TOKEN = 'bench-token';
const MFA_PATH = '/csp/gateway/iam/vmwid/api/principal/mfa';
const INPUT = { password: 'bench-password', turnedOn: true };

const graphqlRequest = (query) => ({
  path: '/graphql',
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json', 'csp-auth-token': TOKEN },
  body: JSON.stringify({ operationName: 'Bench', query, variables: { input: INPUT } }),
});

const GATEWAY_QUERY =
  'mutation Bench($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename ... on MfaStatus { turnedOn } } }';
// Mesh names the field after the OpenAPI operationId and the input after the request schema.
const TAILCALL_QUERY =
  'mutation Bench($input: UpdateMfaRequest!) { updatePrincipalMfa(input: $input) { __typename turnedOn } }';
const PEER_QUERY =
  'mutation Bench($input: UpdateMfaRequest_Input) { updatePrincipalMfa(input: $input) { __typename turnedOn } }';

const expectMfaStatus = (field, typename) => (json) => {
  const v = json?.data?.[field];
  if (json?.errors) return `errors in answer: ${JSON.stringify(json.errors).slice(0, 300)}`;
  if (v?.__typename !== typename)
    return `expected data.${field}.__typename ${typename}, got ${JSON.stringify(v)}`;
  if (v.turnedOn !== true) return `expected data.${field}.turnedOn true, got ${JSON.stringify(v)}`;
  return null;
};

/** Installs the peer from its lockfile when it is not there (npm ci; needs only the npm registry). */
export function ensurePeerInstalled(log) {
  if (
    existsSync(HIVE_BIN) &&
    existsSync(COMPOSE_BIN) &&
    existsSync(TAILCALL_BIN) &&
    existsSync(path.join(PEER_DIR, 'node_modules/@omnigraph/openapi'))
  )
    return;
  log('peer: bench/peer/node_modules missing, running npm ci --prefix bench/peer (once; about a minute)');
  const r = spawnSync('npm', ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit',
    timeout: 10 * 60_000,
  });
  if (r.status !== 0) throw new Error(`npm ci --prefix bench/peer failed (${r.status ?? r.error})`);
}

/** The upstream stub, shared by every target (and itself target A's server). */
export function startStub(delayMs = 0) {
  return startNode({
    name: 'upstream-stub',
    args: [path.join(BENCH_DIR, 'upstream-stub.mjs'), '--port', '0', '--delay-ms', String(delayMs)],
    portFromStdout: true,
  });
}

/** Target definitions. `start(upstreamUrl, stub)` resolves to the server process to measure. */
export const TARGETS = {
  A: {
    id: 'A',
    name: 'direct REST',
    what: 'PATCH straight to the upstream stub (the ceiling of this harness)',
    request: {
      path: MFA_PATH,
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'csp-auth-token': TOKEN },
      body: JSON.stringify(INPUT),
    },
    verify: (json) =>
      json?.turnedOn === true ? null : `expected {"turnedOn":true}, got ${JSON.stringify(json)}`,
    start: async (_upstreamUrl, stub) => stub,
  },
  B: {
    id: 'B',
    name: 'Hive GW + Mesh',
    what: 'Hive Gateway 2.15 serving a Mesh-composed supergraph of bench/peer/openapi.json',
    request: graphqlRequest(PEER_QUERY),
    verify: expectMfaStatus('updatePrincipalMfa', 'UpdateMfaResponse'),
    start: async (upstreamUrl) => {
      // Composed per run because the upstream URL (a fresh port) is baked into the supergraph.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-mfa-bench-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const supergraph = path.join(dir, 'supergraph.graphql');
      const r = spawnSync(process.execPath, [COMPOSE_BIN, '-o', supergraph], {
        cwd: PEER_DIR,
        env: { ...process.env, CSP_BASE_URL: upstreamUrl },
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0)
        throw new Error(`mesh-compose failed (${r.status ?? r.error}):\n${r.stdout}\n${r.stderr}`);
      // cwd is the temp dir: in bench/peer, Hive Gateway would also load mesh.config.ts as its config.
      return startNodeOnFreePort({ name: 'hive-gateway', cwd: dir, readyPath: '/readiness' }, (port) => ({
        args: [
          HIVE_BIN,
          'supergraph',
          supergraph,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--fork',
          '1',
          '--disable-websockets',
        ],
        env: { NODE_ENV: 'production' },
      }));
    },
  },
  C: gatewayTarget({ id: 'C', name: 'this gateway', what: 'node dist/src/main.js, NODE_ENV=production' }),
  R: tailcallTarget({ id: 'R', name: 'Tailcall', queryValidation: false }),
  S: tailcallTarget({ id: 'S', name: 'Tailcall + validation', queryValidation: true }),
  D: {
    id: 'D',
    name: 'floor proxy',
    what: 'bench/floor-proxy.mjs: same two hops, no GraphQL',
    request: graphqlRequest(GATEWAY_QUERY),
    verify: expectMfaStatus('updateMyMfa', 'MfaStatus'),
    start: async (upstreamUrl) =>
      startNode({
        name: 'floor-proxy',
        args: [path.join(BENCH_DIR, 'floor-proxy.mjs'), '--port', '0', '--upstream', upstreamUrl],
        portFromStdout: true,
      }),
  },
};

/**
 * Tailcall (Rust) serving the same PATCH as a mutation from its own SDL config: the token is forwarded
 * (allowedHeaders), the input becomes the JSON body. Tailcall skips query validation unless told.
 */
function tailcallTarget({ id, name, queryValidation }) {
  return {
    id,
    name,
    what: `Tailcall 1.0.0 (Rust), @server(queryValidation: ${queryValidation})`,
    request: graphqlRequest(TAILCALL_QUERY),
    verify: expectMfaStatus('updatePrincipalMfa', 'UpdateMfaResponse'),
    start: async (upstreamUrl) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'csp-mfa-bench-tailcall-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      return startNodeOnFreePort(
        {
          name: `tailcall ${id}`,
          command: TAILCALL_BIN,
          comm: 'tailcall',
          cwd: dir,
          readyPath: '/status',
        },
        (port) => {
          const config = path.join(dir, `tailcall-${port}.graphql`);
          writeFileSync(config, tailcallConfig({ port, upstreamUrl, queryValidation }));
          // TAILCALL_TRACKER=false: no usage report to Tailcall's servers; log level as C's (warn).
          return { args: ['start', config], env: { TAILCALL_TRACKER: 'false', TAILCALL_LOG_LEVEL: 'warn' } };
        },
      );
    },
  };
}

const tailcallConfig = ({ port, upstreamUrl, queryValidation }) => `schema
  @server(port: ${port}, hostname: "127.0.0.1", queryValidation: ${queryValidation})
  @upstream(allowedHeaders: ["csp-auth-token"]) {
  query: Query
  mutation: Mutation
}

type Query {
  ready: Boolean @expr(body: true)
}

input UpdateMfaRequest {
  password: String!
  turnedOn: Boolean!
}

type UpdateMfaResponse {
  turnedOn: Boolean
}

type Mutation {
  updatePrincipalMfa(input: UpdateMfaRequest!): UpdateMfaResponse
    @http(method: PATCH, url: "${upstreamUrl}${MFA_PATH}", body: "{{.args.input}}")
}
`;

/**
 * This gateway as a target: `dir` is a checkout with a build (default this one), `env` is added to the
 * production settings, `nodeArgs` go to node before the script. --variant uses it to measure another build or other settings beside C.
 */
export function gatewayTarget({ id, name, what, dir = REPO_DIR, env = {}, nodeArgs = [] }) {
  const main = path.join(dir, 'dist/src/main.js');
  return {
    id,
    name,
    what,
    request: graphqlRequest(GATEWAY_QUERY),
    verify: expectMfaStatus('updateMyMfa', 'MfaStatus'),
    start: async (upstreamUrl) => {
      if (!existsSync(main))
        throw new Error(`${main} not found: run npm run build first in ${dir} (or --targets A,B,D)`);
      return startNodeOnFreePort({ name: `gateway ${id}`, cwd: dir, readyPath: '/ready' }, (port) => ({
        args: [...nodeArgs, main],
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          CSP_BASE_URL: upstreamUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          ...env,
        },
      }));
    },
  };
}

/**
 * Sends the bench request twice and checks the answer. Returns the body text to require of every
 * measured response (autocannon's expectBody) when both answers are byte-identical, else null.
 */
export async function verifyTarget(target, port) {
  const bodies = [];
  for (let i = 0; i < 2; i++) {
    const { path: p, method, headers, body } = target.request;
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300)
      throw new Error(`${target.id} (${target.name}): HTTP ${res.status}: ${text.slice(0, 300)}`);
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${target.id} (${target.name}): answer is not JSON: ${text.slice(0, 300)}`);
    }
    const problem = target.verify(json);
    if (problem) throw new Error(`${target.id} (${target.name}): wrong answer: ${problem}`);
    bodies.push(text);
  }
  return bodies[0] === bodies[1] ? bodies[0] : null;
}
