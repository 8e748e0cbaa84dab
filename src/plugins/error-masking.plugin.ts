/**
 * Masks by default (as envelop does): errors meant for the client pass, everything else becomes
 * "Unexpected error." with a request id in the response and full detail in the log. Every message, the
 * one a client sees and the one the log keeps, goes through the same scrubbing
 * (security/message-scrubbing.ts), since a client may have written a secret anywhere in its request.
 * A client's own mistake is answered with a client code and logged at debug, never as an error.
 */
import { type ApolloServerPlugin, type GraphQLRequest } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { type MfaContext } from '../context.js';
import { CLIENT_FACING_CODES } from './error-codes.js';
import { scopedLogger, type Logger } from '../logging/logger.js';
import {
  redactSecrets,
  requestSecrets,
  scrubMessage,
  scrubPath,
  type ScrubScope,
} from '../logging/message-scrubbing.js';

export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

/**
 * graphql-js 16 checks an argument's value again during execution and throws a plain GraphQLError when
 * it fails: a nullable variable with a default, sent as null, in a non-null position passes validation
 * and fails here. That is the client's mistake. The wording is graphql-js's (Apollo matches variable
 * coercion errors the same way); without a code or a cause, the error cannot come from our resolvers.
 */
const ARGUMENT_COERCION =
  /^Argument "[_A-Za-z][_0-9A-Za-z]*" (?:has invalid value |of (?:required|non-null) type )/;

function isArgumentCoercionError(error: unknown): boolean {
  return (
    error instanceof GraphQLError &&
    error.originalError === undefined &&
    error.extensions.code === undefined &&
    ARGUMENT_COERCION.test(error.message)
  );
}

/**
 * Apollo refuses some requests with a GraphQLError that has a 4xx status and no code (an unsupported
 * persisted query version, a hash that does not match the query). Apollo chose the status: it is the
 * client's mistake, not a bug.
 */
function isRequestRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The code a client may see for this error, or undefined when it is a bug (masked and logged). A
 * client-facing code on a plain Error is a bug whatever it claims: only GraphQLErrors are trusted.
 */
function clientCodeOf(error: unknown, code: unknown): string | undefined {
  const original = unwrapResolverError(error);
  if (typeof code === 'string' && CLIENT_FACING_CODES.has(code)) {
    return !(original instanceof Error) || original instanceof GraphQLError ? code : undefined;
  }
  if (isArgumentCoercionError(original)) return 'BAD_USER_INPUT';
  if (isRequestRefusal(original)) return 'BAD_REQUEST';
  return undefined;
}

export interface ErrorMasking {
  /** Apollo's `formatError`: pass client-facing errors (scrubbed), mask the rest. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Puts the request id on every error the client sees, and logs masked errors with their cause. */
  readonly plugin: ApolloServerPlugin<MfaContext>;
}

export interface ErrorMaskingOptions {
  /** The schema's names (security/schema-names.ts); quoted texts made of other names are redacted. Defaults to none (every quoted text is redacted). */
  readonly schemaNames?: ReadonlySet<string>;
}

function secretsOf(request: GraphQLRequest, token: string | null, names: ReadonlySet<string> | undefined) {
  return requestSecrets(
    {
      tokens: [token],
      query: request.query,
      operationName: request.operationName,
      variables: request.variables,
      extensions: request.extensions,
    },
    names,
  );
}

export function createErrorMasking(logger: Logger, options: ErrorMaskingOptions = {}): ErrorMasking {
  const names = options.schemaNames;
  const serverScope: ScrubScope = { names };

  // Errors met in the request pipeline are logged by the plugin, which knows the request; the rest
  // (context or HTTP-level failures) are logged by formatError.
  const logged = new WeakSet<object>();

  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = clientCodeOf(error, formatted.extensions?.code);
    if (code !== undefined) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return {
        ...formatted,
        message: scrubMessage(formatted.message, code, serverScope),
        extensions: { ...extensions, code },
      };
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
      let secrets: string[] | undefined;
      return {
        async didEncounterErrors({ errors, contextValue, request }) {
          secrets ??= secretsOf(request, contextValue.caller?.token ?? null, names);
          const scope: ScrubScope = { names, secrets };
          let log: Logger | undefined;
          const logFor = () => (log ??= scopedLogger(logger, { requestId: contextValue.requestId }, scope));
          for (const error of errors) {
            const code = clientCodeOf(error, error.extensions?.code);
            if (code !== undefined) {
              // The client's mistake: worth a debug line for whoever debugs that client, never an error.
              if (logger.isLevelEnabled('debug')) {
                const reason = scrubMessage(error.message, code, scope);
                logFor().debug({ code, reason, path: scrubPath(error.path, scope) }, 'client error');
              }
              continue;
            }
            logged.add(error);
            logFor().error(
              { path: scrubPath(error.path, scope), err: unwrapResolverError(error) },
              'unexpected error while executing a GraphQL operation',
            );
          }
        },
        async willSendResponse({ response, contextValue, request }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          // formatError cannot see the request; its secrets are replaced here, wherever they remain.
          secrets ??= secretsOf(request, contextValue.caller?.token ?? null, names);
          const known = secrets;
          response.body.singleResult.errors = errors.map((e) => ({
            ...e,
            message: redactSecrets(e.message, known),
            extensions: { ...e.extensions, requestId: contextValue.requestId },
          }));
        },
      };
    },
  };

  return { formatError, plugin };
}
