import { describe, expect, it } from '@jest/globals';
import { buildMfaSchema } from '../../src/schema.js';
import { collectSchemaNames, redactUnknownNames } from '../../src/logging/schema-names.js';

const names = collectSchemaNames(buildMfaSchema().schema);

describe('redactUnknownNames', () => {
  it.each([
    ['Variable "$input" of required type "UpdateMyMfaInput!" was not provided.'],
    ['Field "UpdateMyMfaInput.password" of required type "String!" was not provided.'],
    ['Cannot query field "myMfa" on type "Mutation".'],
    ['Unknown argument "if" on directive "@include".'],
  ])('keeps schema names in %j', (message) => {
    expect(redactUnknownNames(message, names)).toBe(message);
  });

  it.each([
    ['Cannot query field "hunter2" on type "Query".', 'Cannot query field "[redacted]" on type "Query".'],
    [
      'Unknown argument "hunter2" on field "Query.myMfa".',
      'Unknown argument "[redacted]" on field "Query.myMfa".',
    ],
    ['Unknown operation named "hunter2".', 'Unknown operation named "[redacted]".'],
    ['Variable "$hunter2" is never used.', 'Variable "[redacted]" is never used.'],
    ['Unknown type "myMfa hunter2".', 'Unknown type "[redacted]".'],
  ])('redacts client names in %j', (message, expected) => {
    expect(redactUnknownNames(message, names)).toBe(expected);
  });
});
