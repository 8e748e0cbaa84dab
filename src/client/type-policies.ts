/** Apollo Client InMemoryCache policies for the MFA API: identities, and how audit-log pages are kept. */
import type { FieldPolicy, Reference, StoreObject, TypePolicies } from '@apollo/client';
import type { MfaAuditLogInput } from './generated/graphql.js';

/** The key of a page requested without `pageStart` (the upstream's first page). */
const FIRST_PAGE = 'first';

/** What the cache keeps for one audit-log query (window, filters and page size): its pages by `pageStart`. */
export interface CachedAuditLogPages {
  readonly pages: Readonly<Record<string, StoreObject | Reference>>;
}

const pageKey = (args: Record<string, unknown> | null): string => {
  const input = args?.['input'] as Partial<MfaAuditLogInput> | undefined;
  return input?.pageStart === undefined || input.pageStart === null ? FIRST_PAGE : String(input.pageStart);
};

/**
 * One cache entry per window, filters and page size; pages sit side by side under their `pageStart`, so
 * paging back is served from the cache. The log grows at the front (newest first): a page that reports a
 * different `totalResults` than the kept ones means every position moved, so the others are dropped and
 * read again when shown. An error answer is kept only until the next answer, so it is never served stale.
 */
const auditLogField: FieldPolicy<CachedAuditLogPages, StoreObject | Reference, StoreObject | Reference> = {
  keyArgs: ['input', ['startDate', 'endDate', 'actions', 'deviceNames', 'eventIds', 'pageLimit']],
  merge(existing, incoming, { args, readField }) {
    const isPage = (value: StoreObject | Reference) => readField('__typename', value) === 'MfaAuditLogPage';
    const total = isPage(incoming) ? readField<number>('totalResults', incoming) : undefined;
    const pages: Record<string, StoreObject | Reference> = {};
    for (const [key, page] of Object.entries(existing?.pages ?? {})) {
      if (!isPage(page)) continue;
      if (total !== undefined && readField<number>('totalResults', page) !== total) continue;
      pages[key] = page;
    }
    pages[pageKey(args)] = incoming;
    return { pages };
  },
  read(existing, { args }) {
    return existing?.pages[pageKey(args)];
  },
};

/**
 * For `new InMemoryCache({ possibleTypes, typePolicies })`.
 *
 * - `MfaStatus` has no id: it is the caller's one status, so it is a singleton (`keyFields: []`). The
 *   `MfaStatus` that `updateMyMfa` answers then updates the cached `myMfa` with no refetch. The cache
 *   belongs to one caller: call `client.clearStore()` when the token changes to another user.
 * - `MfaAuditEvent` is identified by `eventId`.
 * - `myMfaAuditLog` keeps pages by `pageStart` (see above).
 * - Union answers replace the previous answer whole (an error after a status, a status after an error).
 */
export const typePolicies: TypePolicies = {
  Query: {
    fields: {
      myMfa: { merge: false },
      myMfaAuditLog: auditLogField,
    },
  },
  Mutation: {
    fields: {
      updateMyMfa: { merge: false },
    },
  },
  MfaStatus: { keyFields: [] },
  MfaAuditEvent: { keyFields: ['eventId'] },
};
