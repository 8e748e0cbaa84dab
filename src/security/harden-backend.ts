/**
 * Wraps the configured backend in the security decorators, outermost first:
 * local token verification (optional) → brute-force guard → secret scrubbing → the backend.
 */
import { type MfaBackend } from '../backend/mfa-backend.js';
import { type SecurityConfig } from '../config.js';
import { type Logger } from '../logger.js';
import { createAttemptLimiter } from './attempt-limiter.js';
import { createGuardedBackend } from './guarded-backend.js';
import { createSecretScrubbingBackend } from './secret-scrubbing-backend.js';
import { createTokenVerifier } from './token-verifier.js';
import { createVerifiedBackend } from './verified-backend.js';

export function hardenBackend(backend: MfaBackend, security: SecurityConfig, logger: Logger): MfaBackend {
  const limiter = createAttemptLimiter({ ...security.bruteForce, logger });
  let hardened = createGuardedBackend(createSecretScrubbingBackend(backend), limiter, logger, {
    maxAttempts: security.bruteForce.maxAttempts,
    // Verification runs before the guard, so with it on, a token's `sub` is the caller's own.
    identityVerified: security.tokenVerification !== undefined,
  });
  if (security.tokenVerification) {
    hardened = createVerifiedBackend(
      hardened,
      createTokenVerifier({ ...security.tokenVerification, logger }),
      logger,
    );
  }
  return hardened;
}
