/**
 * Refuses an operation whose type the schema has no root for (here: any subscription), as graphql-js 17's
 * KnownOperationTypesRule does. graphql-js 16 validates such a document and then fails it during
 * execution, which Apollo reports as an internal error with a stack in the log; it is the client's mistake.
 */
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

export function KnownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (!schema.getRootType(node.operation)) {
        context.reportError(
          new GraphQLError(`The ${node.operation} operation is not supported by the schema.`, {
            nodes: node,
          }),
        );
      }
    },
  };
}
