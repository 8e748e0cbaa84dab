import { describe, expect, it } from '@jest/globals';
import { canonicalToken } from '../../src/auth/canonical-token.js';
import { identifyCaller } from '../../src/auth/caller.js';
import { fakeJwt } from '../helpers/operations.js';

const tokenKey = (token: string) => identifyCaller(token, 'strict').tokenKey;
const principalKey = (token: string) => identifyCaller(token, 'strict').principalKey;

const [header, payload] = fakeJwt({ sub: 'vmwareid:canon' }).split('.');
// 'signature!' is 10 bytes: 14 characters, the last one carrying 4 unused bits.
const plain = `${header}.${payload}.c2lnbmF0dXJlIQ`;

describe('canonical token', () => {
  it('gives one text for every spelling of a signature', () => {
    for (const respelled of [`${plain}==`, `${plain}=`, `${header}.${payload}.c2lnbmF0dXJlIR`]) {
      expect(canonicalToken(respelled)).toBe(plain);
      expect(tokenKey(respelled)).toBe(tokenKey(plain));
    }
  });

  it('leaves the signed parts as written, since a respelled header or payload is another signing input', () => {
    expect(canonicalToken(`${header}.${payload}==.c2lnbmF0dXJlIQ`)).toBe(
      `${header}.${payload}==.c2lnbmF0dXJlIQ`,
    );
    expect(tokenKey(`${header}.${payload}==.c2lnbmF0dXJlIQ`)).not.toBe(tokenKey(plain));
  });

  it('leaves opaque tokens and odd characters alone', () => {
    for (const odd of ['opaque-token', 'a.b', `${plain}!`, `${plain}===`, 'a.b.c.d']) {
      expect(canonicalToken(odd)).toBe(odd);
    }
  });

  it('keys failures on the sub claim, whoever signed the token', () => {
    expect(principalKey(plain)).toBe(principalKey(fakeJwt({ sub: 'vmwareid:canon', jti: 'other' })));
    expect(principalKey(plain)).not.toBe(tokenKey(plain));
  });
});
