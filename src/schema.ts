/**
 * Builds the served schema once at start: type-graphql classes → Federation 2 subgraph → access policy.
 * The subgraph SDL is printed from the same build, so `schema/schema.graphql` can never be hand-edited into drift.
 */
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { executeSync, parse, type GraphQLSchema } from 'graphql';
import { buildSchemaSync, createResolversMap } from 'type-graphql';
import { applyAccessPolicy } from './auth/permissions.js';
import { serviceAccountRefusal } from './mfa/mfa-error.mapper.js';
import { MfaResolver } from './mfa/mfa.resolver.js';
import { MfaStatusResolver } from './mfa/mfa-status.resolver.js';

/** The Federation 2 version this subgraph links to, and the directives it uses. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@shareable"])';

export interface MfaSchema {
  /** The subgraph schema with the access policy applied: what the server executes. */
  readonly schema: GraphQLSchema;
  /** The subgraph SDL, as `_service { sdl }` returns it and composition tools consume it. */
  readonly sdl: string;
}

export interface MfaSchemaOptions {
  /** Let anyone read `_service { sdl }` (see AccessPolicyOptions). Defaults to false. */
  readonly serviceSdl?: boolean;
}

export function buildMfaSchema(options: MfaSchemaOptions = {}): MfaSchema {
  const typeGraphqlSchema = buildSchemaSync({
    resolvers: [MfaResolver, MfaStatusResolver],
    // Inputs are checked by GraphQL's own types; no class-validator round trip per request.
    validate: false,
  });
  const typeDefs = parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphqlSchema)}`);
  const subgraph = buildSubgraphSchema({
    typeDefs,
    // type-graphql's resolvers, including union/interface resolveType, carried over as a resolver map.
    resolvers: createResolversMap(typeGraphqlSchema) as never,
  });
  return {
    schema: applyAccessPolicy(subgraph, { serviceSdl: options.serviceSdl ?? false, serviceAccountRefusal }),
    sdl: serviceSdlOf(subgraph),
  };
}

/** Exactly what `_service { sdl }` answers, so the committed file and the served SDL are one text. */
function serviceSdlOf(subgraph: GraphQLSchema): string {
  const result = executeSync({ schema: subgraph, document: parse('{ _service { sdl } }') });
  const sdl = (result.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') throw new Error('the subgraph schema has no _service.sdl');
  return sdl;
}
