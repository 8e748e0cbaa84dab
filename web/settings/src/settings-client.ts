/**
 * The page's Apollo Client: the kit's cache configuration, and trusted documents sent by id. Free of DOM
 * code, so the Node tests build the very same client.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { persistedDocumentId, possibleTypes, typePolicies } from 'csp-mfa-graphql/client';

export interface SettingsClientOptions {
  /** The gateway's GraphQL endpoint; the page uses its own origin's /graphql. */
  readonly uri: string;
  /** The caller's access token, sent as `csp-auth-token`. */
  readonly token: string;
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export function createSettingsClient(options: SettingsClientOptions): ApolloClient {
  // Every operation goes out as its trusted-document id, never as text. A gateway that runs any document
  // (TRUSTED_DOCUMENTS unset) answers the first id with PersistedQueryNotFound; the link then sends text
  // for the rest of the session.
  const persisted = new PersistedQueryLink({
    generateHash: (document) => {
      const id = persistedDocumentId(document);
      if (id === undefined) throw new Error('Only the kit’s generated documents can be sent.');
      return id;
    },
    disable: ({ meta }) => meta.persistedQueryNotSupported || meta.persistedQueryNotFound,
  });
  const http = new HttpLink({
    uri: options.uri,
    headers: { 'csp-auth-token': options.token },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return new ApolloClient({
    link: ApolloLink.from([persisted, http]),
    cache: new InMemoryCache({ possibleTypes, typePolicies }),
  });
}
