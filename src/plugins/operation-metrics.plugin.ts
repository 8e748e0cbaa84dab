/**
 * Counts GraphQL operations for Prometheus: one sample per executed root field, labelled with the
 * (bounded) operation name, its type, the root field and the outcome — the union member's __typename,
 * so MfaWrongPasswordError and MfaUpstreamUnavailableError are separate series. A request refused
 * before execution (parse, validation, variables) counts once, with its error code as the outcome.
 */
import { type ApolloServerPlugin } from '@apollo/server';
import { getNamedType, isAbstractType, type GraphQLResolveInfo } from 'graphql';
import { type MfaContext } from '../context.js';
import { type Metrics } from '../observability/metrics.js';
import { type OperationNameBound } from '../observability/operation-names.js';

/** Error codes that may become an outcome label; any other code is 'other' (codes can be set by anyone's plugin). */
const REFUSAL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'INTERNAL_SERVER_ERROR',
]);

export interface OperationMetricsOptions {
  readonly metrics: Metrics;
  readonly boundName: OperationNameBound;
}

export function createOperationMetricsPlugin(
  options: OperationMetricsOptions,
): ApolloServerPlugin<MfaContext> {
  const { metrics, boundName } = options;
  return {
    async requestDidStart({ request }) {
      let counted = false;
      return {
        // `operation` is undefined when the document has no operation of the requested name (graphql-js
        // then answers with an error and no field runs).
        async executionDidStart({ operation }) {
          if (!operation) return undefined;
          const operationName = boundName(operation.name?.value);
          const operationType = operation.operation;
          return {
            willResolveField({ info, contextValue }) {
              // Root fields only: their path has no parent.
              if (info.path.prev !== undefined) return undefined;
              counted = true;
              return (error: Error | null, result: unknown) => {
                void outcomeOf(error, result, info, contextValue).then((outcome) =>
                  metrics.countOperation({
                    operationName,
                    operationType,
                    rootField: info.fieldName,
                    outcome,
                  }),
                );
              };
            },
          };
        },
        async willSendResponse({ errors, operation }) {
          if (counted) return;
          const code = errors?.[0]?.extensions?.code;
          metrics.countOperation({
            operationName: boundName(operation ? operation.name?.value : request.operationName),
            operationType: operation?.operation ?? '',
            rootField: '',
            outcome: errors?.length
              ? typeof code === 'string' && REFUSAL_CODES.has(code)
                ? code
                : 'other'
              : 'ok',
          });
        },
      };
    },
  };
}

/** The name of the object type the root field resolved to, asked of the schema (never of client text). */
async function outcomeOf(
  error: Error | null,
  result: unknown,
  info: GraphQLResolveInfo,
  contextValue: unknown,
): Promise<string> {
  if (error) return 'error';
  if (result === null || result === undefined) return 'null';
  const type = getNamedType(info.returnType);
  if (!isAbstractType(type) || Array.isArray(result)) return type.name;
  try {
    const resolved = await type.resolveType?.(result, contextValue, info, type);
    return typeof resolved === 'string' && info.schema.getPossibleTypes(type).some((t) => t.name === resolved)
      ? resolved
      : 'other';
  } catch {
    return 'other';
  }
}
