/** Every union and interface of the schema with its concrete types, generated from schema/schema.graphql. */
import generated from './generated/possible-types.js';

/**
 * For `new InMemoryCache({ possibleTypes })` (Apollo Client) and `cacheExchange({ possibleTypes })`
 * (urql Graphcache). Without it, a fragment on the `MfaError` interface matches no concrete error type in
 * the cache and `code`, `message` and `retryable` come back missing; production gateways turn
 * introspection off, so a client cannot learn this map at run time.
 */
export const possibleTypes: Readonly<Record<string, string[]>> = generated.possibleTypes;
