import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  verifyPassword,
} from '../../src/backend/store/password-hash.js';
import { FAST_SCRYPT } from './store-fixtures.js';

describe('password hashing', () => {
  it('records explicit memory-hard parameters and a salt, never the password', async () => {
    const hash = await hashPassword('s3cret-value', DEFAULT_SCRYPT_PARAMS);
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/u);
    expect(hash).not.toContain('s3cret-value');
    expect(await verifyPassword('s3cret-value', hash)).toBe(true);
  });

  it('salts every hash differently', async () => {
    expect(await hashPassword('same', FAST_SCRYPT)).not.toBe(await hashPassword('same', FAST_SCRYPT));
  });

  it('rejects a wrong, empty, NUL-extended or overlong password', async () => {
    const hash = await hashPassword('right', FAST_SCRYPT);
    for (const attempt of ['wrong', 'Right', '', 'right\u0000', 'r'.repeat(5000)]) {
      expect(await verifyPassword(attempt, hash)).toBe(false);
    }
  });

  it('rejects everything against a missing or malformed hash', async () => {
    for (const stored of [
      null,
      '',
      'plain-text',
      'scrypt$1048577$8$1$c2FsdA$a2V5',
      'scrypt$32768$8$1$c2FsdA$short',
    ]) {
      expect(await verifyPassword('anything', stored)).toBe(false);
    }
  });

  it('refuses parameters outside sane bounds', async () => {
    await expect(hashPassword('x', { N: 1000, r: 8, p: 1 })).rejects.toThrow(RangeError);
    await expect(hashPassword('x', { N: 2 ** 21, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });
});
