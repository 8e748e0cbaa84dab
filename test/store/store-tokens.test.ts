import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { classifyToken, decodeJwtClaims } from '../../src/auth/token-claims.js';
import {
  addUser,
  createClock,
  makeTempDir,
  newCall,
  openTestStore,
  removeTempDirs,
} from './store-fixtures.js';

afterAll(removeTempDirs);

function swapPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  change(claims);
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

describe('store token claims', () => {
  it('mints user tokens shaped like CSP’s that classify as user under both rules', async () => {
    const store = await openTestStore();
    const { name, token } = await addUser(store);
    const claims = decodeJwtClaims(token);
    expect(claims).toMatchObject({
      username: name,
      acct: name,
      domain: 'vmwareid',
      iss: 'urn:csp-mfa-graphql:store',
    });
    expect(claims?.sub).toMatch(/^vmwareid:[0-9a-f-]{36}$/u);
    expect(claims?.context_name).toMatch(/^[0-9a-f-]{36}$/u);
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBe(1800);
    expect(classifyToken(token, 'strict').kind).toBe('user');
    expect(classifyToken(token, 'vmware').kind).toBe('user');
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      alg?: string;
      kid?: string;
    };
    expect(header.alg).toBe('RS256');
    expect(header.kid).toBeTruthy();
    await store.close();
  });

  it('mints service-account tokens without username, acct or domain that classify as service-account', async () => {
    const store = await openTestStore();
    await store.admin.addPrincipal({ kind: 'service-account', name: 'ci-robot' });
    const token = await store.admin.mintToken('ci-robot');
    const claims = decodeJwtClaims(token);
    expect(claims).toMatchObject({ sub: ':ci-robot', azp: 'ci-robot', cid: 'ci-robot' });
    expect(claims?.username).toBeUndefined();
    expect(claims?.acct).toBeUndefined();
    expect(claims?.domain).toBeUndefined();
    expect(classifyToken(token, 'strict').kind).toBe('service-account');
    expect(classifyToken(token, 'vmware').kind).toBe('service-account');
    await store.close();
  });

  it('gives every token its own jti', async () => {
    const store = await openTestStore();
    const { name } = await addUser(store);
    const a = await store.admin.mintToken(name);
    const b = await store.admin.mintToken(name);
    const jti = (token: string): unknown =>
      (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: unknown })
        .jti;
    expect(jti(a)).not.toEqual(jti(b));
    await store.close();
  });
});

describe('store token verification', () => {
  it('returns UNAUTHENTICATED for a token whose payload was altered', async () => {
    const store = await openTestStore();
    const { token } = await addUser(store);
    const other = await addUser(store);
    const otherSub = decodeJwtClaims(other.token)?.sub;
    const forged = swapPayload(token, (claims) => {
      claims.sub = otherSub;
    });
    expect(await store.getMfaStatus(newCall(forged))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await store.close();
  });

  it('returns UNAUTHENTICATED for a token whose expiry was pushed out', async () => {
    const clock = createClock();
    const store = await openTestStore({ now: clock.now });
    const { token } = await addUser(store);
    clock.advance(1801_000);
    const extended = swapPayload(token, (claims) => {
      claims.exp = Number(claims.exp) + 3600;
    });
    expect(await store.getMfaStatus(newCall(extended))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await store.close();
  });

  it('returns UNAUTHENTICATED once a token has expired, even after it was accepted', async () => {
    const clock = createClock();
    const store = await openTestStore({ now: clock.now, tokenTtlSeconds: 60 });
    const { token } = await addUser(store);
    expect((await store.getMfaStatus(newCall(token))).ok).toBe(true);
    clock.advance(59_000);
    expect((await store.getMfaStatus(newCall(token))).ok).toBe(true);
    clock.advance(1_000);
    expect(await store.getMfaStatus(newCall(token))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await store.close();
  });

  it('returns UNAUTHENTICATED for a token signed by another store’s key', async () => {
    const dir = await makeTempDir();
    const mine = await openTestStore({ path: path.join(dir, 'a.sqlite') });
    const theirs = await openTestStore({ path: path.join(dir, 'b.sqlite') });
    const { name } = await addUser(mine);
    await addUser(theirs, { name });
    const foreign = await theirs.admin.mintToken(name);
    expect(await mine.getMfaStatus(newCall(foreign))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('returns UNAUTHENTICATED for unsigned and HMAC-signed tokens', async () => {
    const store = await openTestStore();
    const { token } = await addUser(store);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`;
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a shared secret of enough length!!'));
    for (const bad of [none, hmac]) {
      expect(await store.getMfaStatus(newCall(bad))).toMatchObject({
        ok: false,
        failure: { code: 'UNAUTHENTICATED' },
      });
    }
    await store.close();
  });

  it('returns UNAUTHENTICATED for a token from another issuer setting', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const first = await openTestStore({ path: storePath, issuer: 'https://issuer.one' });
    const { token } = await addUser(first);
    await first.close();
    const second = await openTestStore({ path: storePath, issuer: 'https://issuer.two' });
    expect(await second.getMfaStatus(newCall(token))).toMatchObject({
      ok: false,
      failure: { code: 'UNAUTHENTICATED' },
    });
    await second.close();
  });
});

describe('store signing key', () => {
  it('is created next to the database with mode 0600 and reused after a restart', async () => {
    const storePath = path.join(await makeTempDir(), 'store.sqlite');
    const store = await openTestStore({ path: storePath });
    const { token } = await addUser(store);
    await store.close();
    const key = await stat(`${storePath}.jwt-key.pem`);
    expect(key.mode & 0o777).toBe(0o600);
    const reopened = await openTestStore({ path: storePath });
    expect((await reopened.getMfaStatus(newCall(token))).ok).toBe(true);
    await reopened.close();
  });
});
