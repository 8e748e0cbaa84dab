/**
 * graphql-js quotes the client's own names in its messages ('Unknown argument "x"', 'Field "x" is not
 * defined by type …', 'Unknown operation named "x"'). A client that writes its password where a name
 * goes would see it echoed (and logged); so a quoted text survives only when every name in it belongs
 * to the schema.
 */
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** Words Apollo and graphql-js quote that are not schema names but never client input either. */
const PROTOCOL_WORDS = ['query', 'mutation', 'subscription', 'variables', 'operationName', 'extensions'];

/** Every type, field, argument, input field, enum value and directive name of the schema. */
export function collectSchemaNames(schema: GraphQLSchema): ReadonlySet<string> {
  const names = new Set<string>(PROTOCOL_WORDS);
  for (const type of Object.values(schema.getTypeMap())) {
    names.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.add(field.name);
        for (const arg of field.args) names.add(arg.name);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) names.add(field.name);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) names.add(value.name);
    }
  }
  for (const directive of schema.getDirectives()) {
    names.add(directive.name);
    for (const arg of directive.args) names.add(arg.name);
  }
  return names;
}

const NAME = /[_A-Za-z][_0-9A-Za-z]*/g;
/** What may surround names in a quoted type or coordinate: `$input`, `[String!]!`, `Query.myMfa`, `@include`. */
const NAME_PUNCTUATION = /^[\s$!.[\]@():]*$/;

/** True when the text is made only of schema names and the punctuation of types and coordinates. */
export function isSchemaText(text: string, names: ReadonlySet<string>): boolean {
  const found = text.match(NAME) ?? [];
  return found.every((name) => names.has(name)) && NAME_PUNCTUATION.test(text.replace(NAME, ''));
}

/** Replaces every quoted text that is not made of schema names with "[redacted]". */
export function redactUnknownNames(message: string, names: ReadonlySet<string>): string {
  return message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, text: string) =>
    isSchemaText(text, names) ? quoted : '"[redacted]"',
  );
}
