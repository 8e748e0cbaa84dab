/**
 * urql Graphcache configuration (`csp-mfa-graphql/client/urql`): the same identities as the Apollo
 * `typePolicies`, for `cacheExchange(graphcacheConfig)`.
 */
import type { CacheExchangeOpts } from '@urql/exchange-graphcache';
import { possibleTypes } from './possible-types.js';

const ERROR_TYPES = possibleTypes['MfaError'] ?? [];

/**
 * - `possibleTypes` turns Graphcache's heuristic fragment matching off, so `... on MfaError` matches
 *   exactly the error types (the schema itself is not needed, and production gateways hide it).
 * - `MfaStatus` is the caller's singleton (key `'me'`): `updateMyMfa`'s answer updates the cached `myMfa`.
 * - Pages and error members have no identity: they are embedded in the field that returned them.
 * - Every `updateMyMfa` answer may have written an audit event (an error too: a wrong password is
 *   audited), so the cached audit-log pages are invalidated and read again when shown.
 *
 * Paging: Graphcache keeps each `pageStart` as its own field entry, which is what a paged table needs;
 * no resolver is added for it.
 */
export const graphcacheConfig = {
  possibleTypes: { ...possibleTypes },
  keys: {
    MfaStatus: () => 'me',
    MfaAuditEvent: (event) => (typeof event['eventId'] === 'string' ? event['eventId'] : null),
    MfaAuditLogPage: () => null,
    ...Object.fromEntries(ERROR_TYPES.map((name) => [name, () => null])),
  },
  updates: {
    Mutation: {
      updateMyMfa: (_result, _args, cache) => {
        for (const field of cache.inspectFields('Query')) {
          if (field.fieldName === 'myMfaAuditLog')
            cache.invalidate('Query', field.fieldName, field.arguments);
        }
      },
    },
  },
} satisfies CacheExchangeOpts;
