/**
 * Why a gateway did not start. Callers branch on `code`; the message is one line meant for an operator
 * (the command prints it as it is), and never carries a password or a URL's credentials.
 */
export type GatewayStartErrorCode =
  /** A setting is invalid; `problems` has one line per bad value. */
  | 'SETTINGS_INVALID'
  /** MFA_BACKEND_MODULE names a file or package that is not there. */
  | 'BACKEND_MODULE_NOT_FOUND'
  /** The module threw while loading, or its factory threw. */
  | 'BACKEND_MODULE_FAILED'
  /** The module has no `createMfaBackend`, or what it (or createGateway's caller) gave is no MfaBackend. */
  | 'BACKEND_INVALID'
  /** The backend's `isReady()` answered false, threw, or did not answer in time. */
  | 'BACKEND_NOT_READY'
  /** The embedded store could not be opened (locked, unreadable, newer schema); see its README. */
  | 'STORE_UNAVAILABLE';

export class GatewayStartError extends Error {
  override readonly name = 'GatewayStartError';
  readonly code: GatewayStartErrorCode;
  /** SETTINGS_INVALID: one message per bad setting. */
  readonly problems: readonly string[];

  constructor(
    code: GatewayStartErrorCode,
    message: string,
    options: { readonly cause?: unknown; readonly problems?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** At most this much of a third party's error message makes it into ours. */
const MAX_QUOTED = 300;

/**
 * The first line of whatever a third party threw, short, with any `user:password@` of a URL removed: a
 * module that fails to reach its database tends to say where, and the start line lands in logs.
 */
export function quoteError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  const clean = line.replace(/\/\/[^/\s@]*@/g, '//[redacted]@');
  const short = clean.length > MAX_QUOTED ? `${clean.slice(0, MAX_QUOTED)}…` : clean;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !short.includes(code) ? `${short} (${code})` : short || 'no message';
}
