/** Sign-in, then the settings for the signed-in caller. One Apollo Client per token. */
import { useCallback, useState } from 'react';
import { type ApolloClient } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { createSettingsClient } from './settings-client.js';
import { SignInForm } from './sign-in-form.js';
import { SettingsView } from './settings-view.js';

export function App() {
  // The token lives in memory only: nothing a script could read later stays behind after the tab closes.
  const [client, setClient] = useState<ApolloClient | null>(null);

  const signIn = useCallback((token: string) => {
    setClient(createSettingsClient({ uri: new URL('/graphql', window.location.href).href, token }));
  }, []);

  // The cache holds one caller's MfaStatus singleton: it must not outlive the token.
  const signOut = useCallback(() => {
    setClient((current) => {
      current?.stop();
      void current?.clearStore();
      return null;
    });
  }, []);

  return (
    <main className="page">
      <h1>Multi-factor authentication</h1>
      {client ? (
        <ApolloProvider client={client}>
          <SettingsView onSignOut={signOut} />
        </ApolloProvider>
      ) : (
        <SignInForm onSignIn={signIn} />
      )}
    </main>
  );
}
