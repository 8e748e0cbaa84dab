/**
 * The kit itself: it passes a backend that keeps the contract (the in-memory example, handed over as an
 * object), and it fails one that breaks it, on exactly the scenarios the breach shows in.
 */
import { describe, expect, it } from '@jest/globals';
import { createInMemoryDirectory } from '../../examples/in-memory-backend/in-memory-backend.js';
import { type MfaBackend } from '../../src/index.js';
import {
  CONFORMANCE_SCENARIOS,
  defineMfaBackendConformance,
  type ConformanceFixture,
} from '../../src/conformance/index.js';

/** The kit's tests, registered with a plain collector and run in order: name → passed, or the error. */
async function runKit(fixture: ConformanceFixture): Promise<Map<string, 'passed' | Error>> {
  const tests: Array<[string, () => Promise<void>]> = [];
  defineMfaBackendConformance({ test: (name, fn) => tests.push([name, fn]), fixture });
  const results = new Map<string, 'passed' | Error>();
  for (const [name, fn] of tests) {
    results.set(
      name,
      await fn().then(
        () => 'passed' as const,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    );
  }
  return results;
}

/** The in-memory example behind the gateway, with `breach` applied to its backend. */
function inMemory(breach: (backend: MfaBackend) => MfaBackend = (b) => b): ConformanceFixture {
  return {
    async setup() {
      const directory = createInMemoryDirectory();
      return {
        gateway: { backend: breach(directory.backend) },
        addUser: ({ username, password }) => directory.addUser(username, password),
        activateDevice: async (username, device) => directory.activateDevice(username, device),
        addServiceAccount: async (name) => directory.addServiceAccount(name),
        removePrincipal: async (name) => directory.removePrincipal(name),
        mintToken: async (name) => directory.mintToken(name),
        mintExpiredToken: async (name) => directory.mintToken(name, -60_000),
      };
    },
  };
}

const failed = (results: Map<string, 'passed' | Error>) =>
  [...results].filter(([, result]) => result !== 'passed').map(([name]) => name);

describe('the conformance kit', () => {
  it('registers a start, every scenario and a stop, and passes a backend that keeps the contract', async () => {
    const results = await runKit(inMemory());
    expect(results.size).toBe(CONFORMANCE_SCENARIOS.length + 2);
    expect(failed(results)).toEqual([]);
  });

  it('fails a backend that answers a wrong password as UNAUTHENTICATED, on that scenario only', async () => {
    const results = await runKit(
      inMemory((backend) => ({
        ...backend,
        kind: backend.kind,
        async updateMfa(call) {
          const outcome = await backend.updateMfa(call);
          return !outcome.ok && outcome.failure.code === 'WRONG_PASSWORD'
            ? { ok: false, failure: { ...outcome.failure, code: 'UNAUTHENTICATED' } }
            : outcome;
        },
      })),
    );
    expect(failed(results)).toEqual(['refuses a wrong password (MfaWrongPasswordError)']);
  });

  it('fails a backend that pages its audit log oldest first, on the audit scenarios', async () => {
    const results = await runKit(
      inMemory((backend) => ({
        ...backend,
        kind: backend.kind,
        async getMfaAudit(call, query) {
          const outcome = await backend.getMfaAudit(call, query);
          return outcome.ok
            ? { ok: true, value: { ...outcome.value, results: [...outcome.value.results].reverse() } }
            : outcome;
        },
      })),
    );
    expect(failed(results)).toEqual([
      'reads the audit log: each change and the wrong password, newest first (a repeat changes nothing)',
      'filters the audit log by action',
      'pages the audit log (pageStart counts from 1)',
    ]);
  });

  it('reports a start that fails, and every scenario as not run', async () => {
    const results = await runKit({
      async setup() {
        throw new Error('no database here');
      },
    });
    const errors = [...results.values()].filter((r): r is Error => r !== 'passed');
    expect(errors).toHaveLength(CONFORMANCE_SCENARIOS.length + 1);
    expect(errors[0]?.message).toBe('no database here');
  });
});
