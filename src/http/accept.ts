/**
 * Accept values that Apollo Server answers exactly as it answers no Accept header: a single result as
 * `application/json; charset=utf-8`, no legacy incremental delivery, no HTML landing page for a GET.
 * The server drops such a header before Apollo, which then skips two of the three `negotiator` parses it
 * makes per request when a header is present (about 2 µs each). Exact values only: any other Accept,
 * Apollo Client's and urql's included, reaches Apollo as sent. test/unit/accept.test.ts checks each value
 * against the questions Apollo asks.
 */
const SAME_AS_NO_ACCEPT: ReadonlySet<string> = new Set(['application/json', '*/*']);

/** True when `accept` tells Apollo nothing that no header would not. */
export const acceptMeansNothing = (accept: string): boolean => SAME_AS_NO_ACCEPT.has(accept);
