/**
 * The package as a consumer meets it, built (npm run build): imported by name through package.json
 * `exports`, typed by the emitted declarations, and the example backend's own node:test suite run by
 * node's runner. Each runs in a child process with the repository as its working directory, where
 * Node and TypeScript resolve `csp-mfa-graphql` to this package (self-reference through `exports`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const CONSUMER_DIR = path.join(ROOT, 'test-artifacts', `consumer-${process.pid}`);

const node = (args: string[], timeout = 20_000) =>
  spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { PATH: process.env.PATH ?? '' },
  });

afterAll(() => {
  rmSync(CONSUMER_DIR, { recursive: true, force: true });
});

describe('the built package, imported by name', () => {
  it('exports createGateway and the backend contract from "csp-mfa-graphql", and importing it starts nothing', () => {
    // Exits on its own only if the import left nothing running: a server started on import would time out.
    const run = node([
      '--input-type=module',
      '-e',
      "const api = await import('csp-mfa-graphql'); console.log(JSON.stringify(Object.keys(api).sort()));",
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      'DEFAULT_AUDIT_PAGE_LIMIT',
      'GatewayStartError',
      'MAX_AUDIT_FILTER_VALUES',
      'MAX_AUDIT_PAGE_LIMIT',
      'MAX_AUDIT_WINDOW',
      'MFA_AUDIT_ACTIONS',
      'MFA_FAILURE_CODES',
      'createGateway',
      'fail',
      'isMfaAuditAction',
      'parseAuditQuery',
      'succeed',
    ]);
  });

  it('exports the conformance kit from "csp-mfa-graphql/conformance"', () => {
    const run = node([
      '--input-type=module',
      '-e',
      "const kit = await import('csp-mfa-graphql/conformance'); console.log(JSON.stringify(Object.keys(kit).sort()));",
    ]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      'CONFORMANCE_SCENARIOS',
      'defineMfaBackendConformance',
      'tamperToken',
    ]);
  });
});

describe('the emitted declarations, from a consumer', () => {
  const typecheck = (source: string) => {
    mkdirSync(CONSUMER_DIR, { recursive: true });
    writeFileSync(path.join(CONSUMER_DIR, 'consumer.ts'), source);
    writeFileSync(
      path.join(CONSUMER_DIR, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    return node([TSC, '-p', path.join(CONSUMER_DIR, 'tsconfig.json')], 60_000);
  };

  const BACKEND = `
import { createGateway, fail, succeed, type MfaBackend, type MfaBackendFactory } from 'csp-mfa-graphql';
import { defineMfaBackendConformance, type ConformanceFixture } from 'csp-mfa-graphql/conformance';
const backend: MfaBackend = {
  kind: 'mine',
  async updateMfa(call) { return call.turnedOn ? succeed({ turnedOn: true }) : fail({ code: 'CONFLICT' }); },
  async getMfaStatus(call) { return fail({ code: 'NOT_FOUND', requestId: call.requestId }); },
  async getMfaAudit(_call, query) { return succeed({ itemsPerPage: query.pageLimit ?? 20, startIndex: 1, totalResults: 0, results: [] }); },
  async isReady() { return true; },
  async close() {},
};
export const createMfaBackend: MfaBackendFactory = ({ logger }) => { logger.info({}, 'hello'); return backend; };
const gateway = await createGateway({ backend, settings: { PORT: 0, CSP_TIMEOUT_MS: 2000 }, log: { level: 'warn' } });
const address = await gateway.listen();
export const url: string = address.graphqlUrl;
declare const fixture: ConformanceFixture;
defineMfaBackendConformance({ test: (name: string, fn: () => Promise<void>) => [name, fn], fixture });
`;

  it('type-checks a backend, a factory, createGateway and the kit', () => {
    const run = typecheck(BACKEND);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('refuses a backend without getMfaAudit and a setting that does not exist', () => {
    const broken = BACKEND.replace(/async getMfaAudit[^\n]*\n/, '').replace(
      'CSP_TIMEOUT_MS',
      'NO_SUCH_SETTING',
    );
    const run = typecheck(broken);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('TS2741'); // property missing
    expect(run.stdout).toContain('TS2353'); // unknown property in an object literal
  });
});

describe('the in-memory example', () => {
  it('passes the kit under node:test, loaded through MFA_BACKEND_MODULE, importing the package by name', () => {
    const run = node(['--test', 'dist/examples/in-memory-backend/'], 60_000);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^# pass 23$/m);
    expect(run.stdout).toMatch(/^# fail 0$/m);
  });
});
