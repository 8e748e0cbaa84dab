/**
 * Counts GraphQL operations for Prometheus: one sample per root field run, labelled with the (bounded)
 * operation name, its type, the root field and the outcome — the union member's __typename, so
 * MfaWrongPasswordError and MfaUpstreamUnavailableError are separate series. A request refused before
 * execution (parse, validation, variables, an unknown operation name) counts once, with its error code
 * as the outcome and an empty root field.
 *
 * The root fields' resolvers are wrapped once, at start, rather than using Apollo's willResolveField:
 * that hook makes Apollo wrap every field of the schema and call the plugin for each field of every
 * request, which measurably costs; here it is one extra call per root field.
 */
import { type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  type GraphQLAbstractType,
  type GraphQLField,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { type MfaContext } from '../context.js';
import { KNOWN_ERROR_CODES } from './error-codes.js';
import { type Metrics } from '../observability/metrics.js';
import { type OperationNameBound } from '../observability/operation-names.js';

export interface OperationMetricsOptions {
  readonly metrics: Metrics;
  readonly boundName: OperationNameBound;
}

export interface OperationMetrics {
  /** Wraps the root fields' resolvers of the schema the server executes (call once, before start). */
  instrumentSchema(schema: GraphQLSchema): void;
  /** Counts requests refused before execution. */
  readonly plugin: ApolloServerPlugin<MfaContext>;
}

export function createOperationMetrics(options: OperationMetricsOptions): OperationMetrics {
  const { metrics, boundName } = options;

  const count = (info: GraphQLResolveInfo, outcome: string) =>
    metrics.countOperation({
      operationName: boundName(info.operation.name?.value),
      operationType: info.operation.operation,
      rootField: info.fieldName,
      outcome,
    });

  const wrap = (field: GraphQLField<unknown, unknown>) => {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context, info) => {
      let result: unknown;
      try {
        result = resolve(source, args, context, info);
      } catch (error) {
        count(info, 'error');
        throw error;
      }
      if (!(result instanceof Promise)) {
        record(result, context, info, count);
        return result;
      }
      return result.then(
        (value: unknown) => {
          record(value, context, info, count);
          return value;
        },
        (error: unknown) => {
          count(info, 'error');
          throw error;
        },
      );
    };
  };

  // One listener for every request: nothing is allocated per request.
  const listener: GraphQLRequestListener<MfaContext> = {
    async willSendResponse({ response, errors, operation, request }) {
      // No `data` at all: the request never reached execution (GraphQL spec, "Response Format").
      if (response.body.kind !== 'single' || response.body.singleResult.data !== undefined) return;
      const code = errors?.[0]?.extensions?.code;
      metrics.countOperation({
        operationName: boundName(operation ? operation.name?.value : request.operationName),
        operationType: operation?.operation ?? '',
        rootField: '',
        outcome: typeof code === 'string' && KNOWN_ERROR_CODES.has(code) ? code : 'other',
      });
    },
  };

  return {
    instrumentSchema(schema) {
      for (const root of [schema.getQueryType(), schema.getMutationType()]) {
        for (const field of Object.values(root?.getFields() ?? {})) wrap(field);
      }
    },
    plugin: {
      async requestDidStart() {
        return listener;
      },
    },
  };
}

/** The member names of each union or interface, built once: the check runs for every root field. */
const memberNames = new WeakMap<GraphQLAbstractType, ReadonlySet<string>>();

/** Counts the object type a root field resolved to, asked of the schema (never of client text). */
function record(
  result: unknown,
  context: unknown,
  info: GraphQLResolveInfo,
  count: (info: GraphQLResolveInfo, outcome: string) => void,
): void {
  if (result === null || result === undefined) return count(info, 'null');
  const type = getNamedType(info.returnType);
  if (!isAbstractType(type) || Array.isArray(result)) return count(info, type.name);
  let members = memberNames.get(type);
  if (!members) {
    members = new Set(info.schema.getPossibleTypes(type).map((t) => t.name));
    memberNames.set(type, members);
  }
  const known = members;
  const valid = (name: unknown) => (typeof name === 'string' && known.has(name) ? name : 'other');
  let resolved: unknown;
  try {
    resolved = type.resolveType?.(result, context, info, type);
  } catch {
    return count(info, 'other');
  }
  // type-graphql answers at once; a resolver that answers later is counted when it does.
  if (resolved instanceof Promise) {
    resolved.then(
      (name: unknown) => count(info, valid(name)),
      () => count(info, 'other'),
    );
  } else {
    count(info, valid(resolved));
  }
}
