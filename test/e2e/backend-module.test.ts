/**
 * MFA_BACKEND_MODULE through the real process: a module that cannot serve stops the start with exit code
 * 1 and one line naming the setting and the reason's code; a good one (the in-memory example, built)
 * serves, and its `kind` is the backend logged.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runToExit, startProcess } from '../helpers/process.js';

const EXAMPLE = fileURLToPath(
  new URL('../../dist/examples/in-memory-backend/in-memory-backend.js', import.meta.url),
);

/** A backend with every method, in plain JavaScript; `ready` is the body of its isReady. */
const backendSource = (ready: string) => `{
  kind: 'custom',
  async updateMfa(call) { return { ok: false, failure: { code: 'UNAUTHENTICATED', requestId: call.requestId } }; },
  async getMfaStatus(call) { return { ok: false, failure: { code: 'UNAUTHENTICATED', requestId: call.requestId } }; },
  async getMfaAudit(call) { return { ok: false, failure: { code: 'UNAUTHENTICATED', requestId: call.requestId } }; },
  async isReady() { ${ready} },
  async close() {},
}`;

const MODULES: Record<string, string> = {
  'no-factory.mjs': 'export const createBackend = () => ({});\nexport const version = 1;\n',
  'not-a-backend.mjs':
    "export function createMfaBackend() { return { kind: 'Not A Kind!', updateMfa() {} }; }\n",
  'throws-on-load.mjs':
    "throw new Error('cannot reach postgres://mfa:s3cret-pw@db.internal/mfa\\n    at connect (db.js:1:1)');\n",
  'factory-throws.mjs':
    "export async function createMfaBackend() { throw new Error('no database configured'); }\n",
  'not-ready.mjs': `export const createMfaBackend = () => (${backendSource('return false;')});\n`,
  'ready-throws.mjs': `export const createMfaBackend = async () => (${backendSource("throw new Error('pool exhausted');")});\n`,
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'backend-module-'));
  for (const [name, source] of Object.entries(MODULES)) await writeFile(path.join(dir, name), source);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MFA_BACKEND_MODULE in the real process', () => {
  it.each([
    ['a path with no file', () => path.join(dir, 'missing.mjs'), 'BACKEND_MODULE_NOT_FOUND'],
    ['a package that is not installed', () => 'csp-mfa-no-such-backend', 'BACKEND_MODULE_NOT_FOUND'],
    ['a module without createMfaBackend', () => path.join(dir, 'no-factory.mjs'), 'BACKEND_INVALID'],
    ['a factory that returns no MfaBackend', () => path.join(dir, 'not-a-backend.mjs'), 'BACKEND_INVALID'],
    [
      'a module that throws while loading',
      () => path.join(dir, 'throws-on-load.mjs'),
      'BACKEND_MODULE_FAILED',
    ],
    ['a factory that throws', () => path.join(dir, 'factory-throws.mjs'), 'BACKEND_MODULE_FAILED'],
    ['a backend whose isReady() answers false', () => path.join(dir, 'not-ready.mjs'), 'BACKEND_NOT_READY'],
    ['a backend whose isReady() throws', () => path.join(dir, 'ready-throws.mjs'), 'BACKEND_NOT_READY'],
  ])('stops the start on %s: exit 1, one line with the code, no stack', async (_case, specifier, code) => {
    const run = await runToExit({ PORT: '0', HOST: '127.0.0.1', MFA_BACKEND_MODULE: specifier() });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('MFA_BACKEND_MODULE');
    expect(lines[0]).toContain(`[${code}]`);
    expect(run.stdout).not.toContain('"listening"');
  });

  it('keeps a URL password out of the line when a module fails on it', async () => {
    const run = await runToExit({
      PORT: '0',
      HOST: '127.0.0.1',
      MFA_BACKEND_MODULE: path.join(dir, 'throws-on-load.mjs'),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a module together with CSP_BASE_URL (exit 2, a settings problem)', async () => {
    const run = await runToExit({
      MFA_BACKEND_MODULE: EXAMPLE,
      CSP_BASE_URL: 'https://console.cloud.vmware.com',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MFA_BACKEND_MODULE');
  });

  it('serves on a good module: its kind is logged, /ready answers 200, its answers come through', async () => {
    const gateway = await startProcess({ MFA_BACKEND_MODULE: EXAMPLE, LOG_LEVEL: 'info' });
    try {
      const listening = gateway.stdout
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; backend?: string })
        .find((l) => l.msg === 'listening');
      expect(listening?.backend).toBe('in-memory');
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'csp-auth-token': 'not-a-token-it-issued' },
        body: JSON.stringify({ query: '{ myMfa { __typename ... on MfaError { code } } }' }),
      });
      expect(await response.json()).toEqual({
        data: { myMfa: { __typename: 'MfaUnauthenticatedError', code: 'UNAUTHENTICATED' } },
      });
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited()).toBe(0);
    }
  });
});
