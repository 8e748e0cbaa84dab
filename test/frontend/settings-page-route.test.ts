import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { rawRequest } from '../hardening/support/raw-http.js';

let dir: string;
let csp: FakeCsp;
let gateway: TestGateway;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'settings-page-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>page</title>');
  await writeFile(path.join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'notes.env'), 'SECRET=1');
  csp = await startFakeCsp();
  gateway = await startGateway({ CSP_BASE_URL: csp.url, SETTINGS_PAGE: dir });
});

afterAll(async () => {
  await gateway.close();
  await csp.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (target: string, init?: RequestInit) =>
  fetch(`${gateway.url}${target}`, { redirect: 'manual', ...init });

describe('SETTINGS_PAGE', () => {
  it('serves the page at /settings/ with a strict Content-Security-Policy, never cached', async () => {
    const response = await get('/settings/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'/);
    expect(response.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>page</title>');
  });

  it('redirects /settings to /settings/', async () => {
    const response = await get('/settings?x=1');
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/settings/');
  });

  it('serves hashed assets as immutable, with their type', async () => {
    const response = await get('/settings/assets/app-1234.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toMatch(/immutable/);
    const head = await get('/settings/assets/app-1234.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('serves only the files read at start, and never a path built from the request', async () => {
    await writeFile(path.join(dir, 'later.html'), 'added after start');
    for (const target of ['/settings/later.html', '/settings/notes.env', '/settings/nope.js']) {
      expect((await get(target)).status).toBe(404);
    }
    for (const target of [
      '/settings/../package.json',
      '/settings/%2e%2e/package.json',
      '/settings/..%2fpackage.json',
    ]) {
      const answer = await rawRequest(
        Number(new URL(gateway.url).port),
        `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('"name"');
    }
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    const response = await get('/settings/', { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is not served without the setting', async () => {
    const plain = await startGateway({ CSP_BASE_URL: csp.url });
    try {
      expect((await fetch(`${plain.url}/settings/`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('refuses to start when the folder holds no built page', async () => {
    await expect(
      startGateway({ CSP_BASE_URL: csp.url, SETTINGS_PAGE: path.join(dir, 'assets') }),
    ).rejects.toMatchObject({
      name: 'SettingsPageError',
    });
    await expect(
      startGateway({ CSP_BASE_URL: csp.url, SETTINGS_PAGE: path.join(dir, 'missing') }),
    ).rejects.toMatchObject({ name: 'SettingsPageError' });
  });
});

describe('the package export csp-mfa-graphql/client (built)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));

  it('resolves to ESM with types, for Apollo and for urql', () => {
    for (const file of [
      'dist/src/client/index.js',
      'dist/src/client/index.d.ts',
      'dist/src/client/urql.d.ts',
    ]) {
      expect({ file, built: existsSync(path.join(root, file)) }).toEqual({ file, built: true });
    }
    const script = `
      const kit = await import('csp-mfa-graphql/client');
      const urql = await import('csp-mfa-graphql/client/urql');
      console.log(JSON.stringify({
        names: Object.keys(kit).sort(),
        errorTypes: kit.possibleTypes.MfaError.length,
        status: kit.typePolicies.MfaStatus,
        urqlKeys: Object.keys(urql.graphcacheConfig.keys).length,
      }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      names: [
        'MfaErrorFieldsFragmentDoc',
        'MyMfaAuditLogDocument',
        'MyMfaDocument',
        'UpdateMyMfaDocument',
        'isMfaError',
        'persistedDocumentId',
        'possibleTypes',
        'typePolicies',
      ],
      errorTypes: 11,
      status: { keyFields: [] },
      urqlKeys: 14,
    });
  });
});
