/**
 * The structured JSON logger (pino). Every line is scrubbed on its way out: errors (under `err` or any
 * other key) keep only their type, scrubbed message and stack, code and causes; messages go through the
 * same scrubbing as the error messages clients receive (security/message-scrubbing.ts). Secrets are also
 * redacted by path, should someone log a request, its headers or its variables.
 */
import { pino, type Logger, type DestinationStream, type LoggerOptions as PinoOptions } from 'pino';
import { type LogLevel } from '../config.js';
import { scrubError, scrubMessage, type ScrubScope } from './message-scrubbing.js';

export type { Logger };

/** Paths that could hold a secret if someone logs a request, its headers or its variables. */
const REDACT_PATHS = [
  'password',
  'token',
  'headers["csp-auth-token"]',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.headers["csp-auth-token"]',
  '*.headers.authorization',
  '*.variables',
  '*.input.password',
];

export interface LoggerOptions {
  /** Defaults to 'info'. */
  readonly level?: LogLevel;
  /** Defaults to stdout; tests pass a stream to capture every line. */
  readonly destination?: DestinationStream;
  /** Fields added to every line, e.g. the active span's trace_id and span_id. Defaults to none. */
  readonly mixin?: () => Record<string, string>;
}

/** How deep the log formatter looks for Error objects logged under keys other than `err`. */
const MAX_ERROR_DEPTH = 3;

function scrubErrorsIn(value: unknown, scope: ScrubScope, depth: number): unknown {
  if (value instanceof Error) return scrubError(value, scope);
  if (depth >= MAX_ERROR_DEPTH || typeof value !== 'object' || value === null) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const [key, item] of Object.entries(value)) {
    const scrubbed = scrubErrorsIn(item, scope, depth + 1);
    if (scrubbed === item) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = scrubbed;
  }
  return copy ?? value;
}

/** The serializers and the log formatter that scrub every line with one scope. */
function scrubbingOptions(scope: ScrubScope): Pick<PinoOptions, 'serializers'> & {
  formatters: { log: <T extends object>(object: T) => T };
} {
  return {
    serializers: {
      err: (error: unknown) => scrubError(error, scope),
      msg: (message: unknown) =>
        typeof message === 'string' ? scrubMessage(message, undefined, scope) : message,
    },
    formatters: {
      // Errors logged under another key (`{ error }`, `{ details: { cause } }`) are scrubbed too.
      log: <T extends object>(object: T): T => {
        let copy: Record<string, unknown> | undefined;
        for (const [key, value] of Object.entries(object)) {
          if (key === 'err') continue;
          const scrubbed = scrubErrorsIn(value, scope, 1);
          if (scrubbed !== value) (copy ??= { ...(object as Record<string, unknown>) })[key] = scrubbed;
        }
        return (copy as T | undefined) ?? object;
      },
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  // Without the schema's names, every quoted text in a message is redacted; scopedLogger adds them.
  const scrubbing = scrubbingOptions({});
  return pino(
    {
      level,
      base: { service: 'csp-mfa-graphql' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: scrubbing.serializers,
      formatters: { level: (label) => ({ level: label }), log: scrubbing.formatters.log },
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    options.destination,
  );
}

/**
 * A child logger whose lines are scrubbed with more knowledge: the schema's names (quoted names that
 * belong to the schema are kept) and one request's secrets (replaced wherever they appear).
 */
export function scopedLogger(logger: Logger, bindings: Record<string, unknown>, scope: ScrubScope): Logger {
  return logger.child(bindings, scrubbingOptions(scope));
}
