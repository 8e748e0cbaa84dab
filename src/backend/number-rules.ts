/**
 * The number checks CSP's documented types imply, in one place: the GraphQL input, the CSP answer
 * mapper and the store's request rules all refuse the same values.
 */

/** CSP documents its counts and `moduleCode` as int32. */
export const INT32_MAX = 2_147_483_647;

/** 9999-12-31T23:59:59.999Z: anything larger is seconds-vs-milliseconds confusion or garbage, not a date. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** A whole number that fits CSP's int32 fields (sign included). */
export const isInt32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= INT32_MAX;

/** A date as CSP sends and takes it: whole epoch milliseconds, from 1970 to the end of year 9999. */
export const isEpochMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS;
