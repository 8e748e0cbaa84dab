import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

/** The rule ids the project's lint config reports for `code` written at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

describe('the lint keeps the boundaries', () => {
  it.each([
    ['src/mfa/new-thing.ts', "import { got } from 'got';\nexport const g = got;\n"],
    ['src/server.ts', "import { pino } from 'pino';\nexport const p = pino;\n"],
    [
      'src/backend/csp/csp-mfa.client.ts',
      "import Database from 'better-sqlite3';\nexport const d = Database;\n",
    ],
    ['src/context.ts', "import { Redis } from 'ioredis';\nexport const r = Redis;\n"],
    ['src/mfa/mfa.resolver.ts', "import { jwtVerify } from 'jose';\nexport const j = jwtVerify;\n"],
    ['src/schema.ts', "import { shield } from 'graphql-shield';\nexport const s = shield;\n"],
    ['src/mfa/new-thing.ts', "import pg from 'pg';\nexport const p = pg;\n"],
    ['src/server.ts', "import { Registry } from 'prom-client';\nexport const r = Registry;\n"],
    [
      'src/observability/tracing.ts',
      "import { trace } from '@opentelemetry/api';\nexport const t = trace;\n",
    ],
    ['src/server.ts', "import { NodeSDK } from '@opentelemetry/sdk-node';\nexport const n = NodeSDK;\n"],
    ['src/gateway.ts', "import cluster from 'node:cluster';\nexport const c = cluster;\n"],
  ])('refuses an import of its package outside the owner: %s', async (file, code) => {
    expect(await violations(file, code)).toContain('no-restricted-imports');
  });

  it.each([
    ['src/backend/csp/csp-mfa.client.ts', "import { got } from 'got';\nexport const g = got;\n"],
    ['src/logging/logger.ts', "import { pino } from 'pino';\nexport const p = pino;\n"],
    ['src/auth/permissions.ts', "import { shield } from 'graphql-shield';\nexport const s = shield;\n"],
    ['src/observability/metrics.ts', "import { Registry } from 'prom-client';\nexport const r = Registry;\n"],
    [
      'src/plugins/tracing.plugin.ts',
      "import { trace } from '@opentelemetry/api';\nexport const t = trace;\n",
    ],
    ['src/worker-pool.ts', "import cluster from 'node:cluster';\nexport const c = cluster;\n"],
  ])('lets the owner import its package: %s', async (file, code) => {
    expect(await violations(file, code)).not.toContain('no-restricted-imports');
  });

  it('keeps process to the process entries', async () => {
    expect(await violations('src/context.ts', 'export const e = process.env.X;\n')).toContain(
      'no-restricted-globals',
    );
    expect(
      await violations('src/config.ts', "import process from 'node:process';\nexport const p = process;\n"),
    ).toContain('no-restricted-syntax');
    expect(await violations('src/main.ts', 'export const e = process.env.X;\n')).not.toContain(
      'no-restricted-globals',
    );
  });
});
