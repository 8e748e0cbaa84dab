/**
 * A store answering the `MfaBackend` contract with the same outcomes the CSP client maps from CSP's
 * answers, whichever database holds it: `assembleStore` puts the shared rules (authentication, the
 * update transaction, the lockout, audit reads, admin commands) on top of one `StoreDriver`.
 * `createSqliteStore` and `createPostgresStore` open the databases and call it.
 */
import { performance } from 'node:perf_hooks';
import {
  fail,
  succeed,
  type BackendCall,
  type MfaAuditPage,
  type MfaAuditQuery,
  type MfaStatusDto,
  type MfaUpdateDto,
  type Outcome,
  type UpdateMfaCall,
} from '../mfa-backend.js';
import { parseAuditQuery } from './mfa-audit.js';
import { createPasswordCheck } from './password-check.js';
import { createStoreAdmin } from './store-admin.js';
import { authenticatePrincipal } from './store-auth.js';
import type { StoreDriver, StoreSteps } from './store-driver.js';
import { StoreLockTimeout } from './store-lock.js';
import type { StoreSettings } from './store-options.js';
import { storeFailure, toAuditDto, toStatus } from './store-outcomes.js';
import type { StoreTokens } from './store-tokens.js';
import type { StoreBackend } from './store-types.js';
import { updateMfaWith } from './store-update.js';

// What a lock refusal suggests: locks held by store commands last milliseconds; a shell's, who knows.
const LOCKED_RETRY_AFTER_SECONDS = 1;
const LOCK_REPORT_INTERVAL_MS = 10_000;

export function assembleStore(
  driver: StoreDriver,
  tokens: StoreTokens,
  settings: StoreSettings,
): StoreBackend {
  const { now, logger } = settings;
  const passwords = createPasswordCheck({ ttlMs: settings.passwordCacheTtlMs, now });
  const rule = {
    maxFailedAttempts: settings.maxFailedAttempts,
    failedAttemptWindowMs: settings.failedAttemptWindowMs,
  };
  const storePath = driver.location;

  let lockRefusals = 0;
  let lastLockReportMs = Number.NEGATIVE_INFINITY;

  function reportLocked(requestId: string, operation: string, waitedMs: number): void {
    lockRefusals += 1;
    const at = performance.now();
    // A held lock refuses every call until it is released: one line per interval, with a count.
    if (at - lastLockReportMs < LOCK_REPORT_INTERVAL_MS) return;
    logger.warn?.(
      { requestId, operation, storePath, waitedMs, refusedCalls: lockRefusals, storeLock: 'held' },
      'MFA store locked by another connection; answering UPSTREAM_UNAVAILABLE',
    );
    lockRefusals = 0;
    lastLockReportMs = at;
  }

  /**
   * Runs one contract call: its database steps wait out another connection's lock within one
   * `lockWaitMs` budget, and a lock that outlasts it answers `UPSTREAM_UNAVAILABLE`. Any other thrown
   * fault becomes `UPSTREAM_UNAVAILABLE` (closed, unreachable) or `UNEXPECTED`, logged with its cause.
   */
  async function guarded<T>(
    requestId: string,
    operation: string,
    work: (steps: StoreSteps) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    try {
      if (!driver.isOpen()) return fail(storeFailure('UPSTREAM_UNAVAILABLE', requestId));
      const steps = driver.steps(() =>
        logger.debug?.(
          { requestId, operation, storeLock: 'waiting' },
          'MFA store locked by another connection; waiting',
        ),
      );
      return await work(steps);
    } catch (error) {
      if (error instanceof StoreLockTimeout && driver.isOpen()) {
        reportLocked(requestId, operation, error.waitedMs);
        return fail(
          storeFailure('UPSTREAM_UNAVAILABLE', requestId, { retryAfterSeconds: LOCKED_RETRY_AFTER_SECONDS }),
        );
      }
      const unavailable = !driver.isOpen() || driver.isUnavailable(error);
      logger.error({ err: error, requestId, operation, storePath }, 'MFA store operation failed');
      return fail(storeFailure(unavailable ? 'UPSTREAM_UNAVAILABLE' : 'UNEXPECTED', requestId));
    }
  }

  const updateMfa = (call: UpdateMfaCall): Promise<Outcome<MfaUpdateDto>> =>
    guarded(call.requestId, 'updateMfa', (steps) =>
      updateMfaWith(steps, call, { tokens, passwords, rule, now }),
    );

  const getMfaStatus = (call: BackendCall): Promise<Outcome<MfaStatusDto>> =>
    guarded(call.requestId, 'getMfaStatus', async (steps) => {
      const auth = await authenticatePrincipal(call, steps, tokens);
      return auth.ok ? succeed(toStatus(auth.row)) : fail(auth.failure);
    });

  const getMfaAudit = (call: BackendCall, query: MfaAuditQuery): Promise<Outcome<MfaAuditPage>> =>
    guarded(call.requestId, 'getMfaAudit', async (steps) => {
      const auth = await authenticatePrincipal(call, steps, tokens);
      if (!auth.ok) return fail(auth.failure);
      const parsed = parseAuditQuery(query, now());
      // The reason travels as errorCode, as CSP's would, so the simulator can answer it and a client can read it.
      if (!parsed.ok)
        return fail(storeFailure('INVALID_REQUEST', call.requestId, { errorCode: parsed.problem }));
      const q = parsed.query;
      const { total, rows } = await steps.auditPage(
        {
          principalId: auth.row.id,
          startDate: q.startDate,
          endDate: q.endDate,
          actions: q.actions,
          deviceNames: q.deviceNames,
          eventIds: q.eventIds,
        },
        q.pageLimit,
        q.pageStart - 1,
      );
      return succeed({
        itemsPerPage: q.pageLimit,
        startIndex: q.pageStart,
        totalResults: total,
        results: rows.map(toAuditDto),
      });
    });

  const authenticate = (call: BackendCall): Promise<Outcome<{ readonly username: string }>> =>
    guarded(call.requestId, 'authenticate', async (steps) => {
      const auth = await authenticatePrincipal(call, steps, tokens);
      return auth.ok ? succeed({ username: auth.row.name }) : fail(auth.failure);
    });

  return {
    kind: 'store',
    engine: driver.engine,
    location: driver.location,
    schemaVersion: driver.schemaVersion,
    updateMfa,
    getMfaStatus,
    getMfaAudit,
    authenticate,
    admin: createStoreAdmin(driver, tokens, passwords, settings),
    async isReady() {
      if (!driver.isOpen()) return false;
      try {
        return await driver.ping();
      } catch {
        return false;
      }
    },
    close: () => driver.close(),
  };
}
