/**
 * Federated traces for Apollo routers: a request with `apollo-federation-include-trace: ftv1` gets
 * Apollo's inline trace (per-field timings) in `extensions.ftv1`, which the router folds into its
 * query-plan trace. Apollo's own plugin builds its trace state for every request before it looks at the
 * header; this one looks first, so a request without the header costs one header lookup, and the plugin
 * (with its protobuf code) is only loaded when a router first asks. Error messages in the trace are
 * masked: they can quote the client's document.
 */
import { type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { type MfaContext } from '../context.js';

export const FEDERATED_TRACE_HEADER = 'apollo-federation-include-trace';

export function createFederatedTracePlugin(): ApolloServerPlugin<MfaContext> {
  let inlineTrace: Promise<ApolloServerPlugin<MfaContext>> | undefined;
  const load = () =>
    (inlineTrace ??= import('@apollo/server/plugin/inlineTrace').then(({ ApolloServerPluginInlineTrace }) =>
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
    ));
  return {
    async requestDidStart(requestContext): Promise<GraphQLRequestListener<MfaContext> | void> {
      if (requestContext.request.http?.headers.get(FEDERATED_TRACE_HEADER) !== 'ftv1') return;
      return (await load()).requestDidStart?.(requestContext);
    },
  };
}
