/** Asks for the password to turn MFA on or off, and shows what the gateway answered. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { isMfaError, UpdateMyMfaDocument, type UpdateMyMfaMutation } from 'csp-mfa-graphql/client';
import { GatewayProblem, MfaErrorNotice } from './mfa-error-notice.js';
import { useCountdown } from './use-countdown.js';

type Answer = UpdateMyMfaMutation['updateMyMfa'];

export interface PasswordDialogProps {
  readonly turnOn: boolean;
  readonly onClose: () => void;
  /** MFA changed; the cached myMfa has already been updated from the answer. */
  readonly onChanged: (turnedOn: boolean) => void;
  /** Any answer: the change or a failed attempt may have been written to the audit log. */
  readonly onAnswered: () => void;
  /** The outcome is unknown (upstream unavailable): read the state again. */
  readonly onCheckState: () => void;
  readonly onSignOut: () => void;
}

export function PasswordDialog(props: PasswordDialogProps) {
  const { turnOn, onClose, onChanged, onAnswered, onCheckState, onSignOut } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState('');
  const [answer, setAnswer] = useState<{ member: Answer; n: number; at: number } | null>(null);
  const [update, { loading, error }] = useMutation(UpdateMyMfaDocument);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    input.current?.focus();
    return () => element?.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await update({ variables: { input: { password, turnedOn: turnOn } } }).catch(() => null);
    // The password is never kept after an attempt.
    setPassword('');
    const member = result?.data?.updateMyMfa;
    if (!member) return;
    onAnswered();
    if (member.__typename === 'MfaStatus') {
      onChanged(member.turnedOn);
      return;
    }
    setAnswer((previous) => ({ member, n: (previous?.n ?? 0) + 1, at: Date.now() }));
    input.current?.focus();
  };

  const failure = answer && isMfaError(answer.member) ? answer.member : null;
  const retryAfter = failure && 'retryAfterSeconds' in failure ? failure.retryAfterSeconds : null;
  const left = useCountdown(retryAfter, answer?.at ?? 0);
  // While rate-limited even the right password is refused: no point sending it before the time is up.
  const locked = left !== null && left > 0;
  const verb = turnOn ? 'Turn on' : 'Turn off';

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="dialog-title" onCancel={onClose}>
      <form onSubmit={submit}>
        <h2 id="dialog-title">{verb} multi-factor authentication</h2>
        <p>Enter your password to confirm.</p>
        <label htmlFor="password">Password</label>
        <input
          ref={input}
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {failure && (
          <MfaErrorNotice
            key={answer?.n}
            error={failure}
            receivedAt={answer?.at}
            {...(failure.code === 'UPSTREAM_UNAVAILABLE'
              ? { onRetry: onCheckState, retryLabel: 'Check the current state' }
              : {})}
            onSignOut={onSignOut}
          />
        )}
        {error && <GatewayProblem error={error} />}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={loading || password === '' || locked}>
            {loading ? 'Checking…' : verb}
          </button>
        </div>
      </form>
    </dialog>
  );
}
