/**
 * The verified-password cache: a correct password is remembered per principal, as an HMAC under a
 * per-process random key and only while the stored hash is unchanged, so a repeat skips scrypt.
 * Off unless `ttlMs` > 0 (load tests, the simulator); concurrent checks of one password share a scrypt.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyPassword } from './password-hash.js';

export interface PasswordCheck {
  /** True when `password` matches the principal's stored hash (a principal without one never matches). */
  matches(
    principal: { readonly id: string; readonly passwordHash: string | null },
    password: string,
  ): Promise<boolean>;
  /** Drops everything remembered (a principal was removed: its id must not vouch for anything). */
  forget(): void;
}

export function createPasswordCheck(options: { ttlMs: number; now: () => number }): PasswordCheck {
  const { ttlMs, now } = options;
  const cacheKey = randomBytes(32);
  const verified = new Map<string, { hash: string; mac: Buffer; expiresAtMs: number }>();
  const verifying = new Map<string, Promise<boolean>>();
  const macOf = (password: string): Buffer =>
    createHmac('sha256', cacheKey).update(password.normalize('NFC')).digest();

  async function matches(
    principal: { readonly id: string; readonly passwordHash: string | null },
    password: string,
  ): Promise<boolean> {
    const hash = principal.passwordHash;
    if (ttlMs <= 0 || hash === null) return verifyPassword(password, hash);
    const mac = macOf(password);
    const cached = verified.get(principal.id);
    if (cached && cached.hash === hash && cached.expiresAtMs > now() && timingSafeEqual(cached.mac, mac))
      return true;
    // Under load many requests carry the same password at once: let them share one scrypt instead of queueing N.
    const key = `${principal.id}\u0000${hash}\u0000${mac.toString('base64')}`;
    let pending = verifying.get(key);
    if (!pending) {
      pending = verifyPassword(password, hash).finally(() => verifying.delete(key));
      verifying.set(key, pending);
    }
    const ok = await pending;
    if (ok) verified.set(principal.id, { hash, mac, expiresAtMs: now() + ttlMs });
    return ok;
  }

  return { matches, forget: () => verified.clear() };
}
