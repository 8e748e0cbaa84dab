/**
 * The two keys the brute-force guard counts under, both hashes, so no raw token (or claim) is ever
 * stored or logged. Who controls each one is written down in the README's Security section.
 */
import { createHash } from 'node:crypto';
import { canonicalToken } from '../auth/canonical-token.js';
import { decodeJwtClaims } from '../auth/token-claims.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Whose wrong passwords are counted: `sub` (else `username`) when the token carries one, else the
 * canonical token. Read from unverified claims, so anyone can name any principal here; that is why the
 * guard only *reads* this count before a call and adds to it only when the backend answered a wrong
 * password, which it does only for a token it accepted.
 */
export function principalKey(token: string): string {
  const claims = decodeJwtClaims(token);
  const subject = claims?.sub
    ? `sub:${claims.sub}`
    : claims?.username
      ? `username:${claims.username}`
      : undefined;
  return sha256(subject ?? `token:${canonicalToken(token)}`);
}

/** One token, however it is spelled: what the in-flight cap counts under unless claims are verified. */
export function tokenKey(token: string): string {
  return sha256(`token:${canonicalToken(token)}`);
}
