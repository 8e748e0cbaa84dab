/**
 * Another team's subgraph, defining the names a supergraph commonly has (`User`, `Error`,
 * `UnauthenticatedError`, `ForbiddenError`, `Node`, `Query.me`), served over real HTTP on port 0.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export const FOREIGN_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

interface Node { id: ID! }
interface Error { message: String! }
type UnauthenticatedError implements Error { message: String! }
type ForbiddenError implements Error { message: String! reason: String }
type User implements Node @key(fields: "id") { id: ID! name: String! }
union MeResult = User | UnauthenticatedError | ForbiddenError
type Query { me: MeResult! node(id: ID!): Node }
`;

export async function startForeignSubgraph(): Promise<{ url: string; close(): Promise<void> }> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(FOREIGN_SDL),
    resolvers: {
      Query: { me: () => ({ __typename: 'User', id: 'u1', name: 'Alice' }), node: () => null },
      User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Alice' }) },
    },
  });
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}
