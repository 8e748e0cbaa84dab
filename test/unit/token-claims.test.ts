import { describe, expect, it } from '@jest/globals';
import { classifyToken, decodeJwtClaims } from '../../src/auth/token-claims.js';
import { extractToken } from '../../src/auth/request-token.js';
import { fakeJwt, serviceAccountJwt, userJwt } from '../helpers/operations.js';

describe('classifyToken', () => {
  it('classifies a CSP user token as a user under both rules', () => {
    expect(classifyToken(userJwt(), 'strict').kind).toBe('user');
    expect(classifyToken(userJwt(), 'vmware').kind).toBe('user');
  });

  it('classifies a client-credentials token as a service account under both rules', () => {
    expect(classifyToken(serviceAccountJwt(), 'strict').kind).toBe('service-account');
    expect(classifyToken(serviceAccountJwt(), 'vmware').kind).toBe('service-account');
    expect(classifyToken(fakeJwt({ sub: ':app', cid: 'app' }), 'strict').kind).toBe('service-account');
  });

  it('differs between the rules only for a token with acct or domain but no username', () => {
    const token = fakeJwt({ sub: 'vmwareid:x', acct: 'a@b.c', azp: 'client' });
    expect(classifyToken(token, 'vmware').kind).toBe('service-account');
    expect(classifyToken(token, 'strict').kind).toBe('user');
  });

  it('does not refuse a token without any client id', () => {
    expect(classifyToken(fakeJwt({ sub: 'x' }), 'vmware').kind).toBe('user');
  });

  it('treats empty strings as absent claims', () => {
    expect(classifyToken(fakeJwt({ username: '', azp: 'app' }), 'vmware').kind).toBe('service-account');
  });

  it.each([
    ['opaque'],
    ['a.b'],
    ['a.!!!.c'],
    [`x.${Buffer.from('[1]').toString('base64url')}.y`],
    [`x.${Buffer.from('null').toString('base64url')}.y`],
  ])('treats %j as an opaque token', (token) => {
    expect(classifyToken(token, 'strict')).toEqual({ kind: 'unknown', claims: null });
  });

  it('ignores claims of the wrong type', () => {
    expect(decodeJwtClaims(fakeJwt({ username: 42, exp: 'never' }))).toMatchObject({
      username: undefined,
      exp: undefined,
    });
  });
});

describe('extractToken', () => {
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] });

  it('reads only csp-auth-token by default, never Authorization', () => {
    expect(extractToken(headers({ 'csp-auth-token': 'a', authorization: 'Bearer b' }))).toBe('a');
    expect(extractToken(headers({ authorization: 'Bearer b' }))).toBeNull();
  });

  it('with acceptBearer, prefers csp-auth-token, then Authorization: Bearer', () => {
    const acceptBearer = { acceptBearer: true };
    expect(extractToken(headers({ 'csp-auth-token': 'a', authorization: 'Bearer b' }), acceptBearer)).toBe(
      'a',
    );
    expect(extractToken(headers({ authorization: 'bearer   b ' }), acceptBearer)).toBe('b');
    expect(extractToken(headers({ authorization: 'Basic b' }), acceptBearer)).toBeNull();
  });

  it('refuses values that cannot be tokens', () => {
    expect(extractToken(headers({}))).toBeNull();
    expect(extractToken(headers({ 'csp-auth-token': '   ' }))).toBeNull();
    expect(extractToken(headers({ 'csp-auth-token': 'a b' }))).toBeNull();
    expect(extractToken(headers({ 'csp-auth-token': 'é' }))).toBeNull();
    expect(extractToken(headers({ 'csp-auth-token': 'x'.repeat(20_000) }))).toBeNull();
  });
});
