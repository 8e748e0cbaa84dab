import { useState, type FormEvent } from 'react';

export function SignInForm({ onSignIn }: { onSignIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed) onSignIn(trimmed);
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <label htmlFor="token">Access token</label>
      <textarea
        id="token"
        name="token"
        rows={4}
        spellCheck={false}
        autoComplete="off"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        placeholder="Paste a CSP access token"
      />
      <p className="hint">The token is kept in this tab’s memory only; reloading the page signs you out.</p>
      <details className="hint" open>
        <summary>No token? Running the gateway on its embedded store</summary>
        <p>Mint one for a user of the store (tokens last 30 minutes):</p>
        <pre>npm run store -- token demo@example.com</pre>
        <p>
          The gateway’s first start prints the demo user’s password and a token. Other users:{' '}
          <code>npm run store -- list</code>.
        </p>
      </details>
      <button type="submit" className="primary" disabled={token.trim() === ''}>
        Sign in
      </button>
    </form>
  );
}
