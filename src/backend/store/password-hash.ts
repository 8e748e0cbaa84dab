/**
 * Salted scrypt password hashes. Parameters travel inside each hash string, so raising the cost
 * later only affects new hashes and old ones keep verifying.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * One of OWASP's equivalent scrypt settings (N=2^15, r=8, p=3): 32 MiB per hash, so a few parallel
 * hashes stay affordable on a small host while each guess still costs an attacker that much memory.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };

const PREFIX = 'scrypt';
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for parameters read back from the database: a tampered row must not make us allocate gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** Longest password we hash; longer input is rejected before any work is done. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * scrypt keys HMAC-SHA256 with the password, and HMAC pads short keys with zero bytes, so `pw` and
 * `pw\0` would derive the same hash. NUL is refused when a password is set and never matches.
 */
export function isHashablePassword(password: string): boolean {
  return password.length > 0 && password.length <= MAX_PASSWORD_LENGTH && !password.includes('\u0000');
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node's default maxmem (32 MiB) is exactly the default cost; leave room instead of failing at the edge.
    maxmem: 2 * 128 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    // NFC so that the same password typed on two keyboards (composed vs decomposed accents) matches.
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function isValidParams(params: ScryptParams): boolean {
  const { N, r, p } = params;
  const isPowerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  return (
    isPowerOfTwo &&
    N <= MAX_N &&
    Number.isSafeInteger(r) &&
    r >= 1 &&
    r <= MAX_R &&
    Number.isSafeInteger(p) &&
    p >= 1 &&
    p <= MAX_P
  );
}

/** Hashes a password as `scrypt$N$r$p$<salt b64url>$<key b64url>`. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  if (!isValidParams(params)) throw new RangeError('scrypt parameters out of range');
  if (!isHashablePassword(password)) throw new RangeError('the password is empty, too long or contains NUL');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return [PREFIX, params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [, n, r, p, salt, key] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!isValidParams(params) || !salt || !key) return null;
  const keyBytes = Buffer.from(key, 'base64url');
  if (keyBytes.length !== KEY_BYTES) return null;
  return { params, salt: Buffer.from(salt, 'base64url'), key: keyBytes };
}

let dummyHash: Promise<string> | undefined;

/**
 * Compares in constant time. With no stored hash (a principal without a password) it still spends
 * one full scrypt, so response time does not tell which principals have a password.
 */
export async function verifyPassword(password: string, encoded: string | null): Promise<boolean> {
  const parsed = encoded === null ? null : parseHash(encoded);
  if (!parsed || !isHashablePassword(password)) {
    dummyHash ??= hashPassword('dummy password for timing');
    const dummy = parseHash(await dummyHash);
    if (dummy) await derive(password.slice(0, MAX_PASSWORD_LENGTH), dummy.salt, dummy.params);
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.key);
}
