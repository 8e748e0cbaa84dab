/**
 * A client's operation name is free text: it can be anything, a password included (the secret canary
 * sends one). Metrics and spans therefore carry it only when it is a name this gateway knows — one of
 * the documents this repository ships, or one an operator listed in GRAPHQL_OPERATION_NAMES — and
 * 'other' otherwise. That keeps the number of series bounded and client text out of every label.
 */

/** The operations of the documents this repository ships (test/operations, the Sandbox, the client kit). */
export const SHIPPED_OPERATION_NAMES: readonly string[] = [
  'UpdateMyMfa',
  'UpdateMyMfaDetails',
  'MyMfa',
  'MyMfaAuditLog',
];

/** The label value for an operation that has no name (an anonymous `{ … }`). */
export const ANONYMOUS_OPERATION = 'anonymous';
/** The label value for any name not on the list. */
export const OTHER_OPERATION = 'other';

/**
 * Apollo Router and @apollo/gateway name a subgraph fetch `<client operation>__<subgraph>__<n>`; the
 * client's part is what tells an operator which operation it was.
 */
const ROUTER_FETCH_SUFFIX = /^(.+?)__[A-Za-z_][A-Za-z0-9_]*__\d+$/;

export type OperationNameBound = (name: string | null | undefined) => string;

/** Maps any operation name onto the known names, 'anonymous' or 'other'. */
export function createOperationNameBound(extraNames: readonly string[] = []): OperationNameBound {
  const known = new Set([...SHIPPED_OPERATION_NAMES, ...extraNames]);
  return (name) => {
    if (name === null || name === undefined || name === '') return ANONYMOUS_OPERATION;
    if (known.has(name)) return name;
    const base = ROUTER_FETCH_SUFFIX.exec(name)?.[1];
    return base !== undefined && known.has(base) ? base : OTHER_OPERATION;
  };
}
