/** The structured JSON logger (pino). Secrets are redacted by path as a second line of defence. */
import { pino, type Logger, type DestinationStream } from 'pino';
import { type LogLevel } from './config.js';

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
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  return pino(
    {
      level,
      base: { service: 'csp-mfa-graphql' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
