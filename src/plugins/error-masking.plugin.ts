/**
 * Masks by default (as envelop does): errors meant for the client pass, everything else becomes
 * "Unexpected error." with a request id in the response and full detail in the log. Messages that
 * quote the client's document or variables are redacted, since a client may have written a secret there.
 */
import { type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type MfaContext } from '../context.js';
import { type Logger } from '../logger.js';
import { redactUnknownNames } from '../security/schema-names.js';

/** Codes whose message is written for the client and safe to pass on (after redaction of quoted values). */
const CLIENT_FACING_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'FORBIDDEN',
  'MFA_STATUS_UNAVAILABLE',
]);

export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

/**
 * graphql-js quotes the offending token of a syntax error, and the offending value of a type error
 * ("found …", "value: …", "got invalid value …"). Any of these may be the password written inline.
 */
export function redactQuotedInput(message: string, code: string | undefined): string {
  if (code === 'GRAPHQL_PARSE_FAILED') return message.replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"');
  return message
    .replace(/got invalid value .*?(?=; | at "|$)/gs, 'got invalid value [redacted]')
    .replace(/(value: ).*$/s, '$1[redacted]')
    .replace(/(found ).*?(\.?)$/s, '$1[redacted]$2');
}

/** A client-facing code on an error that really is a GraphQLError; a plain Error is a bug whatever it claims. */
function isClientFacing(error: unknown, code: unknown): code is string {
  if (typeof code !== 'string' || !CLIENT_FACING_CODES.has(code)) return false;
  const original = unwrapResolverError(error);
  return !(original instanceof Error) || original instanceof GraphQLError;
}

export interface ErrorMasking {
  /** Apollo's `formatError`: pass client-facing errors (redacted), mask the rest. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Puts the request id on every error the client sees, and logs masked errors with their cause. */
  readonly plugin: ApolloServerPlugin<MfaContext>;
}

/** Codes whose messages quote the client's names (arguments, fields, operations, variables). */
const NAME_QUOTING_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);

export interface ErrorMaskingOptions {
  /** The schema's names (security/schema-names.ts); quoted texts made of other names are redacted. Defaults to none (no such redaction). */
  readonly schemaNames?: ReadonlySet<string>;
}

export function createErrorMasking(logger: Logger, options: ErrorMaskingOptions = {}): ErrorMasking {
  const schemaNames = options.schemaNames;
  const redact = (message: string, code: string): string => {
    const redacted = redactQuotedInput(message, code);
    return schemaNames && NAME_QUOTING_CODES.has(code) ? redactUnknownNames(redacted, schemaNames) : redacted;
  };

  // Errors met during execution are logged by the plugin, which knows the request id; the rest
  // (context or pipeline failures) are logged by formatError.
  const logged = new WeakSet<object>();

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isClientFacing(error, code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: redact(formatted.message, code), extensions };
    }
    if (typeof error !== 'object' || error === null || !logged.has(error)) {
      logger.error({ err: unwrapResolverError(error) }, 'unexpected error outside GraphQL execution');
    }
    return {
      message: UNEXPECTED_ERROR_MESSAGE,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      ...(formatted.path ? { path: formatted.path } : {}),
    };
  };

  const plugin: ApolloServerPlugin<MfaContext> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isClientFacing(error, error.extensions?.code)) continue;
            logged.add(error);
            logger.error(
              { requestId: contextValue.requestId, path: error.path, err: unwrapResolverError(error) },
              'unexpected error while executing a GraphQL operation',
            );
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };

  return { formatError, plugin };
}
