/**
 * Names the OpenTelemetry span of a GraphQL operation once Apollo knows the operation, per the
 * semantic conventions: `<type> <name>`, graphql.operation.type and graphql.operation.name. The name
 * is bounded like the metrics' (a client's operation name is free text and may be anything). Loaded
 * only with the OpenTelemetry SDK (observability/otel-tracing.ts).
 */
import { type ApolloServerPlugin } from '@apollo/server';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { type MfaContext } from '../context.js';
import { type OperationNameBound } from '../observability/operation-names.js';
import { KNOWN_ERROR_CODES } from './error-codes.js';

export interface TracingPluginOptions {
  readonly boundName: OperationNameBound;
  /** The span of the operation being run (the active one, when it is an operation span). */
  readonly operationSpan: () => Span | undefined;
}

export function createTracingPlugin(options: TracingPluginOptions): ApolloServerPlugin<MfaContext> {
  const { boundName, operationSpan } = options;
  return {
    async requestDidStart() {
      const span = operationSpan();
      if (!span) return undefined;
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          const name = boundName(operation.name?.value);
          span.updateName(`${operation.operation} ${name}`);
          span.setAttributes({
            'graphql.operation.name': name,
            'graphql.operation.type': operation.operation,
          });
        },
        // Only the code, never the message: messages can quote the client's document.
        async didEncounterErrors({ errors }) {
          const code = errors[0]?.extensions?.code;
          span.setAttribute(
            'error.type',
            typeof code === 'string' && KNOWN_ERROR_CODES.has(code) ? code : 'other',
          );
          span.setStatus({ code: SpanStatusCode.ERROR });
        },
      };
    },
  };
}
