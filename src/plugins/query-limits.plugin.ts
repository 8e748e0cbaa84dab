/**
 * The document limits, enforced by graphql-armor: depth, aliases, directives, tokens, cost, and no
 * field suggestions. Every rejection is a GraphQL error with HTTP 400, before anything runs.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { type ApolloServerOptions, type ApolloServerPlugin } from '@apollo/server';
import { type QueryLimits } from '../config.js';
import { type MfaContext } from '../context.js';

export type QueryLimitOptions = Pick<
  ApolloServerOptions<MfaContext>,
  'validationRules' | 'plugins' | 'parseOptions'
>;

export function createQueryLimits(limits: QueryLimits): QueryLimitOptions {
  const armor = new ApolloArmor({
    // `__schema` is exempt from depth and cost so the Sandbox and codegen can introspect when
    // introspection is on; the token limit still bounds such documents.
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    // Armor's Apollo token plugin parses every document a second time and rejects by throwing from
    // `parsingDidStart`, which Apollo answers with a 500. graphql-js counts tokens during the one real
    // parse (`maxTokens` below) and fails it as a syntax error: a 400.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  });
  const { plugins, validationRules } = armor.protect();
  // graphql-armor is typed against @apollo/server's CommonJS declarations; the objects are the same.
  return {
    plugins: plugins as unknown as ApolloServerPlugin<MfaContext>[],
    validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
  };
}
