/** The key the brute-force guard counts under: a hash, so no raw token (or claim) is ever stored or logged. */
import { createHash } from 'node:crypto';
import { decodeJwtClaims } from '../auth/token-claims.js';

/**
 * `sub` (else `username`) when the token carries one, else the token itself. The claims are not
 * verified here, and need not be: only a wrong-password answer from the backend counts, and the backend
 * answers that only to a token it accepted, so a forged `sub` can neither add failures to a victim's
 * count nor escape its own (a forged token is refused with 401 and never counts).
 */
export function principalKey(token: string): string {
  const claims = decodeJwtClaims(token);
  const subject = claims?.sub
    ? `sub:${claims.sub}`
    : claims?.username
      ? `username:${claims.username}`
      : undefined;
  return createHash('sha256')
    .update(subject ?? `token:${token}`)
    .digest('base64url');
}
