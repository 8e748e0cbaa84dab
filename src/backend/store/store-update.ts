/**
 * `updateMfa`, the one write the contract makes. The password check runs outside the transaction
 * (scrypt is slow and async); everything it decided on is re-read and re-decided under the
 * principal's row lock, so concurrent updates serialise (across connections, processes and gateway
 * instances) and each effective change writes exactly one event, in the change's own transaction.
 */
import { fail, succeed, type MfaUpdateDto, type Outcome, type UpdateMfaCall } from '../mfa-backend.js';
import type { PasswordCheck } from './password-check.js';
import { authenticatePrincipal } from './store-auth.js';
import type { PrincipalChange, PrincipalRow, StoreSteps } from './store-driver.js';
import { lockedForSeconds, lockoutProbe, type LockoutRule } from './store-lockout.js';
import { newAuditEvent, storeFailure } from './store-outcomes.js';
import type { StoreTokens } from './store-tokens.js';

export interface UpdateDeps {
  readonly tokens: StoreTokens;
  readonly passwords: PasswordCheck;
  readonly rule: LockoutRule;
  readonly now: () => number;
}

/** A password change between the check and the transaction makes the check stale: check again. */
type UpdateDecision = Outcome<MfaUpdateDto> | 'hash-changed';

// After this many password changes in a row during one update, it gives up with UNEXPECTED.
const MAX_PASSWORD_RECHECKS = 3;

interface Checked {
  readonly hash: string | null;
  readonly matches: boolean;
  readonly turnedOn: boolean;
  readonly requestId: string;
}

/** Order under the lock: principal → stale check → lockout → password → device → state. */
function decideUpdate(
  row: PrincipalRow | undefined,
  failureDate: number | null,
  checked: Checked,
  deps: UpdateDeps,
): PrincipalChange<UpdateDecision> {
  const { requestId, turnedOn } = checked;
  const answer = (result: UpdateDecision): PrincipalChange<UpdateDecision> => ({ result });
  if (!row || row.kind !== 'user') return answer(fail(storeFailure('NOT_FOUND', requestId)));
  if (row.passwordHash !== checked.hash) return answer('hash-changed');
  const at = deps.now();
  const retryAfterSeconds = lockedForSeconds(deps.rule, failureDate, at);
  if (retryAfterSeconds !== null) {
    return answer(fail(storeFailure('RATE_LIMITED', requestId, { retryAfterSeconds })));
  }
  if (!checked.matches) {
    return {
      result: fail(storeFailure('WRONG_PASSWORD', requestId)),
      events: [newAuditEvent(row, 'MFA_AUTHENTICATION_FAILURE', row.deviceName, row.name, at)],
    };
  }
  // CSP documents a 409 without saying when; enforcing MFA with no enrolled device would lock the
  // user out, so that is the conflict we model.
  if (turnedOn && !row.activated) return answer(fail(storeFailure('CONFLICT', requestId)));
  if (row.turnedOn === turnedOn) return answer(succeed({ turnedOn }));
  return {
    result: succeed({ turnedOn }),
    state: { activated: row.activated, turnedOn, deviceName: row.deviceName, updatedAt: at },
    events: [newAuditEvent(row, turnedOn ? 'MFA_ENABLE' : 'MFA_DISABLE', row.deviceName, row.name, at)],
  };
}

/** Checks: token → principal → kind → empty password → lockout → password → state. */
export async function updateMfaWith(
  steps: StoreSteps,
  call: UpdateMfaCall,
  deps: UpdateDeps,
): Promise<Outcome<MfaUpdateDto>> {
  const auth = await authenticatePrincipal(call, steps, deps.tokens);
  if (!auth.ok) return fail(auth.failure);
  if (typeof call.password !== 'string' || call.password.length === 0) {
    return fail(storeFailure('PASSWORD_REQUIRED', call.requestId));
  }
  let row = auth.row;
  for (let attempt = 0; attempt < MAX_PASSWORD_RECHECKS; attempt += 1) {
    const checked = row;
    const at = deps.now();
    const probe = lockoutProbe(deps.rule, at);
    if (probe) {
      const retryAfterSeconds = lockedForSeconds(deps.rule, await steps.failureDate(checked.id, probe), at);
      if (retryAfterSeconds !== null) {
        return fail(storeFailure('RATE_LIMITED', call.requestId, { retryAfterSeconds }));
      }
    }
    const matches = await deps.passwords.matches(checked, call.password);
    // A lock that outlasts the wait answers UPSTREAM_UNAVAILABLE whether the password matched or
    // not, and records nothing: the answer tells a guesser nothing.
    const decision = await steps.changePrincipal(
      checked.id,
      lockoutProbe(deps.rule, deps.now()),
      (current, failureDate) =>
        decideUpdate(
          current,
          failureDate,
          {
            hash: checked.passwordHash,
            matches,
            turnedOn: call.turnedOn === true,
            requestId: call.requestId,
          },
          deps,
        ),
    );
    if (decision !== 'hash-changed') return decision;
    const reread = await steps.principalById(checked.id);
    if (!reread) return fail(storeFailure('NOT_FOUND', call.requestId));
    row = reread;
  }
  return fail(storeFailure('UNEXPECTED', call.requestId));
}
