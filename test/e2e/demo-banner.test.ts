/**
 * The first start of the embedded store prints the demo credentials for the person at the terminal:
 * on stderr, as text, while stdout stays a stream of JSON log lines that never holds them.
 * Needs `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startProcess } from '../helpers/process.js';
import { waitFor } from '../helpers/wait-for.js';
import { KIT_MANIFEST } from '../frontend/support/frontend-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfa-banner-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo banner', () => {
  it('goes to stderr on the first start; stdout holds only JSON lines without the password or token', async () => {
    const gateway = await startProcess({
      MFA_STORE_PATH: path.join(dir, 'store.sqlite'),
      LOG_LEVEL: 'debug',
    });
    const stderr = () => gateway.stderr.join('');
    try {
      expect(await waitFor(() => /token: +\S+/.test(stderr()), 5_000)).toBe(true);
      // A request too, so stdout has more than start-up lines.
      const answer = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(answer.status).toBe(200);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited();
    }

    const password = /password: +(\S+)/.exec(stderr())?.[1];
    const token = /token: +(\S+)/.exec(stderr())?.[1];
    expect(password).toBeDefined();
    expect(token).toBeDefined();
    expect(stderr()).toContain('username:');
    expect(stderr()).toMatch(/Sandbox: +http:\/\/127\.0\.0\.1:\d+\/graphql/);

    const lines = gateway.stdout.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(line).not.toContain(password);
      expect(line).not.toContain(token);
    }
  });

  /** The banner of a first start with these settings. */
  async function bannerWith(env: Record<string, string>, name: string): Promise<string> {
    const gateway = await startProcess({ MFA_STORE_PATH: path.join(dir, `${name}.sqlite`), ...env });
    const stderr = () => gateway.stderr.join('');
    try {
      expect(await waitFor(() => /token: +\S+/.test(stderr()), 5_000)).toBe(true);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited();
    }
    return stderr();
  }

  it('points to Sandbox only where it can run: not with TRUSTED_DOCUMENTS', async () => {
    const banner = await bannerWith({ TRUSTED_DOCUMENTS: KIT_MANIFEST }, 'trusted');
    expect(banner).not.toContain('Sandbox:');
    expect(banner).toMatch(/GraphQL: +http:\/\/127\.0\.0\.1:\d+\/graphql +\(TRUSTED_DOCUMENTS is set/);
  });

  it('points to Sandbox only where it can run: not in production', async () => {
    const banner = await bannerWith({ NODE_ENV: 'production' }, 'production');
    expect(banner).not.toContain('Sandbox:');
    expect(banner).toContain('no Sandbox in production');
  });
});
