import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MyMfaDocument, UpdateMyMfaDocument, persistedDocumentId } from '../../src/client/index.js';
import { loadConfig } from '../../src/config.js';
import { startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { MY_MFA, userJwt } from '../helpers/operations.js';
import { KIT_MANIFEST } from './support/frontend-fixtures.js';

const TOKEN = userJwt();
const MY_MFA_ID = persistedDocumentId(MyMfaDocument) ?? '';
const UPDATE_ID = persistedDocumentId(UpdateMyMfaDocument) ?? '';

let csp: FakeCsp;
let gateway: TestGateway;
let open: TestGateway;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trusted-docs-'));
  csp = await startFakeCsp();
  gateway = await startGateway({ CSP_BASE_URL: csp.url, TRUSTED_DOCUMENTS: KIT_MANIFEST });
  open = await startGateway({ CSP_BASE_URL: csp.url });
});

afterAll(async () => {
  await gateway.close();
  await open.close();
  await csp.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { data?: Record<string, { __typename: string }>; errors?: Array<{ extensions?: { code?: string } }> };
}

async function post(target: TestGateway, body: unknown): Promise<Answer> {
  const response = await fetch(target.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'csp-auth-token': TOKEN },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function get(target: TestGateway, params: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${target.graphqlUrl}?${new URLSearchParams(params).toString()}`, {
    headers: { 'csp-auth-token': TOKEN, 'apollo-require-preflight': 'true' },
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const persisted = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });
const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

describe('TRUSTED_DOCUMENTS', () => {
  it('runs a manifest document named by extensions.persistedQuery.sha256Hash', async () => {
    const answer = await post(gateway, { operationName: 'MyMfa', extensions: persisted(MY_MFA_ID) });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['myMfa']?.__typename).toBe('MfaStatus');
  });

  it('runs a manifest document named by documentId, with or without the sha256: prefix', async () => {
    for (const documentId of [`sha256:${MY_MFA_ID}`, MY_MFA_ID.toUpperCase()]) {
      const answer = await post(gateway, { documentId });
      expect(answer.body.data?.['myMfa']?.__typename).toBe('MfaStatus');
    }
  });

  it('runs a query named by id in GET parameters', async () => {
    const answer = await get(gateway, { extensions: JSON.stringify(persisted(MY_MFA_ID)) });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['myMfa']?.__typename).toBe('MfaStatus');
  });

  it('refuses document text with 400 TRUSTED_DOCUMENT_REQUIRED, before any upstream call', async () => {
    csp.requests.length = 0;
    const byPost = await post(gateway, { query: MY_MFA });
    const byGet = await get(gateway, { query: '{ myMfa { __typename } }' });
    for (const answer of [byPost, byGet]) {
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('TRUSTED_DOCUMENT_REQUIRED');
      expect(answer.body.data).toBeUndefined();
    }
    expect(csp.requests).toEqual([]);
  });

  it('refuses an unknown or malformed id with 400 TRUSTED_DOCUMENT_NOT_FOUND', async () => {
    const unknown = 'ab'.repeat(32);
    for (const body of [
      { extensions: persisted(unknown) },
      { documentId: unknown, query: MY_MFA },
      { documentId: 'not-a-hash' },
      { extensions: persisted(42) },
    ]) {
      const answer = await post(gateway, body);
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    }
  });

  it('runs the manifest text for a known id, whatever text comes along', async () => {
    csp.requests.length = 0;
    const answer = await post(gateway, {
      documentId: MY_MFA_ID,
      query: 'mutation { updateMyMfa(input: {password: "x", turnedOn: false}) { __typename } }',
    });
    expect(answer.body.data?.['myMfa']?.__typename).toBe('MfaStatus');
    expect(csp.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('keeps the manifest mutation a POST-only operation', async () => {
    const answer = await get(gateway, {
      documentId: UPDATE_ID,
      variables: '{"input":{"password":"p","turnedOn":true}}',
    });
    expect(answer.status).toBe(405);
  });

  it('is off by default: the same text runs on a gateway without the setting', async () => {
    const answer = await post(open, { query: MY_MFA });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.['myMfa']?.__typename).toBe('MfaStatus');
  });
});

describe('TRUSTED_DOCUMENTS manifest checks at start', () => {
  const startWith = async (manifest: string) => {
    const file = path.join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, manifest);
    return startGateway({ CSP_BASE_URL: csp.url, TRUSTED_DOCUMENTS: file });
  };

  it.each([
    ['not JSON', '{'],
    ['empty', '{}'],
    ['a key that is not a sha256 id', JSON.stringify({ abc: '{ myMfa { __typename } }' })],
    [
      'a document that does not hash to its id',
      JSON.stringify({ ['0'.repeat(64)]: '{ myMfa { __typename } }' }),
    ],
  ])('refuses a manifest that is %s', async (_label, manifest) => {
    await expect(startWith(manifest)).rejects.toMatchObject({ name: 'TrustedDocumentsError' });
  });

  it('refuses a manifest whose document is not valid for the schema', async () => {
    const { createHash } = await import('node:crypto');
    const text = '{ noSuchField }';
    const id = createHash('sha256').update(text).digest('hex');
    await expect(startWith(JSON.stringify({ [`sha256:${id}`]: text }))).rejects.toMatchObject({
      name: 'TrustedDocumentsError',
    });
  });

  it('resolves the manifest and page folder like the store path, and leaves both off by default', () => {
    const loaded = loadConfig({ TRUSTED_DOCUMENTS: 'm.json', SETTINGS_PAGE: 'dist/settings' });
    expect(loaded.ok && loaded.config.trustedDocumentsPath).toBe(path.resolve('m.json'));
    expect(loaded.ok && loaded.config.settingsPageDir).toBe(path.resolve('dist/settings'));
    const plain = loadConfig({});
    expect(plain.ok && plain.config.trustedDocumentsPath).toBeUndefined();
    expect(plain.ok && plain.config.settingsPageDir).toBeUndefined();
  });
});
