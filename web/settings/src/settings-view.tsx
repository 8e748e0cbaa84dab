/** The signed-in caller's MFA: state and device, the toggle, and the audit log. */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { isMfaError, MyMfaDocument } from 'csp-mfa-graphql/client';
import { AuditLogTable, newAuditWindow } from './audit-log-table.js';
import { GatewayProblem, MfaErrorNotice } from './mfa-error-notice.js';
import { PasswordDialog } from './password-dialog.js';

export function SettingsView({ onSignOut }: { onSignOut: () => void }) {
  const { data, loading, error, refetch } = useQuery(MyMfaDocument, { notifyOnNetworkStatusChange: true });
  const [dialog, setDialog] = useState<{ turnOn: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A new window after every change, so the table reads the log again and shows the new event.
  const [auditWindow, setAuditWindow] = useState(newAuditWindow);
  const [answers, setAnswers] = useState(0);

  const status = data?.myMfa;
  const retry = () => {
    void refetch();
  };

  return (
    <>
      <section className="card" aria-labelledby="status-title">
        <div className="card-head">
          <h2 id="status-title">Status</h2>
          <button type="button" className="link" onClick={onSignOut}>
            Sign out
          </button>
        </div>
        {loading && !status && <p aria-busy="true">Loading…</p>}
        {error && <GatewayProblem error={error} onRetry={retry} />}
        {status && isMfaError(status) && (
          <MfaErrorNotice
            key={`${status.code}-${status.requestId ?? answers}`}
            error={status}
            onRetry={retry}
            onSignOut={onSignOut}
          />
        )}
        {status?.__typename === 'MfaStatus' && (
          <>
            {status.username && <p className="who">{status.username}</p>}
            <dl className="facts">
              <dt>Multi-factor authentication</dt>
              <dd data-testid="mfa-state" data-state={status.turnedOn ? 'on' : 'off'}>
                <span className={`badge ${status.turnedOn ? 'on' : 'off'}`}>
                  {status.turnedOn ? 'On' : 'Off'}
                </span>
                {status.turnedOn
                  ? ' A code from your device is asked at sign-in.'
                  : ' Only your password is asked.'}
              </dd>
              <dt>Device</dt>
              <dd data-testid="mfa-device">
                {status.deviceName ??
                  (status.activated ? 'Enrolled (name not reported)' : 'No device enrolled')}
              </dd>
            </dl>
            {notice && (
              <p className="notice success" role="status">
                {notice}
              </p>
            )}
            {!status.turnedOn && status.activated === false && (
              <p className="hint">Enrol an authenticator app first; then MFA can be turned on.</p>
            )}
            <button
              type="button"
              className="primary"
              onClick={() => {
                setNotice(null);
                setDialog({ turnOn: !status.turnedOn });
              }}
            >
              {status.turnedOn ? 'Turn off MFA…' : 'Turn on MFA…'}
            </button>
          </>
        )}
      </section>
      {/* The log belongs to a caller the status read accepted; an error there is shown once, above. */}
      {status?.__typename === 'MfaStatus' && <AuditLogTable window={auditWindow} />}
      {dialog && (
        <PasswordDialog
          turnOn={dialog.turnOn}
          onClose={() => setDialog(null)}
          onChanged={(turnedOn) => {
            setDialog(null);
            setNotice(turnedOn ? 'MFA is now on.' : 'MFA is now off.');
          }}
          onAnswered={() => {
            setAnswers((n) => n + 1);
            setAuditWindow(newAuditWindow());
          }}
          onCheckState={() => {
            setDialog(null);
            retry();
          }}
          onSignOut={onSignOut}
        />
      )}
    </>
  );
}
