/** One page of the caller's MFA audit log as a table, with paging. */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { isMfaError, MyMfaAuditLogDocument, type MfaAuditAction } from 'csp-mfa-graphql/client';
import { GatewayProblem, MfaErrorNotice } from './mfa-error-notice.js';

const PAGE_SIZE = 10;
const DAY_MS = 86_400_000;

export interface AuditWindow {
  readonly startDate: number;
  readonly endDate: number;
}

/** The last 90 days, up to a day ahead (CSP refuses only a start in the future; clocks may differ). */
export function newAuditWindow(): AuditWindow {
  const now = Date.now();
  return { startDate: now - 90 * DAY_MS, endDate: now + DAY_MS };
}

const ACTIONS: Record<MfaAuditAction, string> = {
  MFA_ACTIVATION: 'Device enrolled',
  MFA_DEACTIVATION: 'Device removed',
  MFA_ENABLE: 'MFA turned on',
  MFA_DISABLE: 'MFA turned off',
  MFA_DEVICE_NAME_UPDATE: 'Device renamed',
  MFA_AUTHENTICATION_SUCCESS: 'MFA check passed',
  MFA_AUTHENTICATION_FAILURE: 'MFA check failed (or a wrong password)',
  MFA_RECOVERY_CODE_AUTHENTICATION_SUCCESS: 'Recovery code used',
  MFA_RECOVERY_CODE_AUTHENTICATION_FAILURE: 'Recovery code refused',
  MFA_RECOVERY_CODES_GENERATION: 'New recovery codes',
  AUTHENTICATION_WITHOUT_MFA: 'Signed in without MFA',
};

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function AuditLogTable({ window }: { window: AuditWindow }) {
  // Page starts visited, so Previous goes back exactly; undefined asks for the upstream's first page.
  const [starts, setStarts] = useState<ReadonlyArray<number | undefined>>([undefined]);
  const [shownWindow, setShownWindow] = useState(window);
  if (shownWindow !== window) {
    setShownWindow(window);
    setStarts([undefined]);
  }
  const pageStart = starts.at(-1);
  const { data, loading, error, refetch } = useQuery(MyMfaAuditLogDocument, {
    variables: {
      input: { ...window, pageLimit: PAGE_SIZE, ...(pageStart === undefined ? {} : { pageStart }) },
    },
  });
  const result = data?.myMfaAuditLog;
  const page = result?.__typename === 'MfaAuditLogPage' ? result : null;
  const next = page ? page.startIndex + page.itemsPerPage : null;

  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">Recent activity</h2>
      {loading && !result && <p aria-busy="true">Loading…</p>}
      {error && <GatewayProblem error={error} onRetry={() => void refetch()} />}
      {result && isMfaError(result) && <MfaErrorNotice error={result} onRetry={() => void refetch()} />}
      {page && page.events.length === 0 && <p>No MFA activity in the last 90 days.</p>}
      {page && page.events.length > 0 && (
        <>
          <table className="audit" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Device</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((event) => (
                <tr key={event.eventId} data-action={event.action}>
                  <td>{when.format(event.eventDate)}</td>
                  <td>{ACTIONS[event.action]}</td>
                  <td>{event.deviceName ?? '—'}</td>
                  <td>{event.modifiedBy ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={starts.length < 2} onClick={() => setStarts(starts.slice(0, -1))}>
              Previous
            </button>
            <span data-testid="audit-range">
              Page {starts.length} · {page.totalResults} {page.totalResults === 1 ? 'event' : 'events'}
            </span>
            <button
              type="button"
              disabled={next === null || next > page.totalResults}
              onClick={() => setStarts([...starts, next ?? undefined])}
            >
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
