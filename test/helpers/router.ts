/**
 * An Apollo router (@apollo/gateway in @apollo/server) in front of a composed supergraph, configured as
 * users configure it for this subgraph: the client's csp-auth-token is propagated to every subgraph.
 * Listens on port 0.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/** The request a router sends a subgraph, as RemoteGraphQLDataSource#willSendRequest sees it. */
type SubgraphRequest = Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]['request'];

export interface RouterContext {
  token?: string;
}

export interface TestRouter {
  readonly server: ApolloServer<RouterContext>;
  readonly url: string;
}

export interface RouterOptions {
  readonly plugins?: ApolloServerPlugin<RouterContext>[];
  /** Sees each subgraph request before the token is set on it. */
  readonly onSubgraphRequest?: (request: SubgraphRequest) => void;
}

export async function startRouter(supergraphSdl: string, options: RouterOptions = {}): Promise<TestRouter> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<RouterContext>({
        url,
        willSendRequest({ request, context }) {
          options.onSubgraphRequest?.(request);
          if (context.token) request.http?.headers.set('csp-auth-token', context.token);
        },
      }),
  });
  const server = new ApolloServer<RouterContext>({ gateway, plugins: options.plugins ?? [] });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const token = req.headers['csp-auth-token'];
      return typeof token === 'string' ? { token } : {};
    },
  });
  return { server, url };
}
