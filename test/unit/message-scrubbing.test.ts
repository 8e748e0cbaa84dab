/**
 * The scrubbing on its own (no request secrets): graphql-js's real messages, produced by the real schema
 * for passwords full of the characters a redaction could stop at, keep nothing of the password, and keep
 * what the client needs (the variable, the path, the expected type).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { execute, type GraphQLError, parse, validate, type DocumentNode } from 'graphql';
import { buildMfaSchema } from '../../src/schema.js';
import { collectSchemaNames } from '../../src/logging/schema-names.js';
import { requestSecrets, scrubError, scrubMessage } from '../../src/logging/message-scrubbing.js';

const { schema } = buildMfaSchema();
const names = collectSchemaNames(schema);

const NASTY = [
  '; ',
  ' at "',
  '"',
  '\\"',
  '\n',
  'ü🔑\u2028',
  ' found ',
  '.}',
  "'",
  ' Did you mean "turnedOn"?',
];

interface Raised {
  readonly message: string;
  readonly code: string | undefined;
}

/** What graphql-js says about one document and its variables: parse, validation or execution errors. */
async function raised(source: string, variableValues?: Record<string, unknown>): Promise<Raised[]> {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    return [{ message: (error as GraphQLError).message, code: 'GRAPHQL_PARSE_FAILED' }];
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0)
    return invalid.map((e) => ({ message: e.message, code: 'GRAPHQL_VALIDATION_FAILED' }));
  const result = await execute({ schema, document, variableValues });
  return (result.errors ?? []).map((e) => ({ message: e.message, code: undefined }));
}

function documentsFor(p: string): Array<[string, Record<string, unknown>?]> {
  const update = 'mutation U($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) { __typename } }';
  const audit =
    'query Q($a: [MfaAuditAction!]) { myMfaAuditLog(input: {startDate: 0, endDate: 1, actions: $a}) { __typename } }';
  const literal = JSON.stringify(p);
  return [
    [update, { input: { password: p, turnedOn: p } }],
    [update, { input: { password: p, turnedOn: [p, { [p]: p }] } }],
    [update, { input: { [p]: p, password: p, turnedOn: true } }],
    [update, { input: p }],
    [audit, { a: [p] }],
    [
      `mutation U($t: Boolean = true) { updateMyMfa(input: {password: ${literal}, turnedOn: $t}) { __typename } }`,
      { t: null },
    ],
    [`mutation { updateMyMfa(input: {password: "x", turnedOn: ${literal}}) { __typename } }`],
    [`mutation { updateMyMfa(input: {password: [${literal}], turnedOn: true}) { __typename } }`],
    [`{ myMfaAuditLog(input: {startDate: ${literal}, endDate: 1}) { __typename } }`],
    [`{ myMfa ${literal} }`],
    [`{ myMfa(x: ${literal}`],
  ];
}

describe('scrubMessage on graphql-js messages', () => {
  it.each(NASTY.map((n) => [JSON.stringify(n), n]))(
    'keeps nothing of a password containing %s',
    async (_name, nasty) => {
      const left = `L${randomBytes(6).toString('hex')}`;
      const right = `R${randomBytes(6).toString('hex')}`;
      const p = `${left}${nasty}${right}`;
      let count = 0;
      for (const [source, variables] of documentsFor(p)) {
        for (const { message, code } of await raised(source, variables)) {
          // Count the messages that really quoted the password (or a part of it) before scrubbing.
          if (message.includes(left) || message.includes(right)) count++;
          for (const scope of [{ names }, {}]) {
            const scrubbed = scrubMessage(message, code, scope);
            expect(scrubbed).not.toContain(left);
            expect(scrubbed).not.toContain(right);
          }
        }
      }
      expect(count).toBeGreaterThanOrEqual(10);
    },
  );

  it.each([
    [
      'Variable "$input" got invalid value "a; b" at "input.turnedOn"; Boolean cannot represent a non boolean value: "a; b"',
      'Variable "$input" got invalid value [redacted] at "input.turnedOn"; Boolean cannot represent a non boolean value: [redacted]',
    ],
    [
      'Variable "$input" got invalid value { pw: 1 }; Field "pw" is not defined by type "UpdateMyMfaInput".',
      'Variable "$input" got invalid value [redacted]; Field "[redacted]" is not defined by type "UpdateMyMfaInput".',
    ],
    [
      'Variable "$input" got invalid value { password: "x" }; Field "turnedOn" of required type "Boolean!" was not provided.',
      'Variable "$input" got invalid value [redacted]; Field "turnedOn" of required type "Boolean!" was not provided.',
    ],
    [
      'Argument "input" has invalid value {password: "x", turnedOn: $t}.',
      'Argument "input" has invalid value [redacted].',
    ],
    [
      'Syntax Error: Expected ":", found String "x".',
      'Syntax Error: Expected ":", found String "[redacted]".',
    ],
    ['Syntax Error: Expected Name, found <EOF>.', 'Syntax Error: Expected Name, found <EOF>.'],
    [
      'Syntax Error: Unexpected single quote character (\'), did you mean to use a double quote (")?',
      'Syntax Error: Unexpected single quote character (\'), did you mean to use a double quote (")?',
    ],
    ['Syntax Error: Unexpected character: "~".', 'Syntax Error: Unexpected character: "[redacted]".'],
    [
      'Syntax Error: Invalid character within String: U+0001.',
      'Syntax Error: Invalid character within String: U+0001.',
    ],
    ['Cannot query field "x" on type "Query".', 'Cannot query field "[redacted]" on type "Query".'],
    ['Unknown operation named "a"b".', 'Unknown operation named "[redacted]".'],
    ['Maximum aliases limit of 5 exceeded, found 8.', 'Maximum aliases limit of 5 exceeded, found 8.'],
  ])('keeps what the client needs: %j', (message, expected) => {
    const code = message.startsWith('Cannot query') ? 'GRAPHQL_VALIDATION_FAILED' : undefined;
    expect(scrubMessage(message, code, { names })).toBe(expected);
  });

  it('cuts a message it does not know at the first quote that is not a schema name', () => {
    expect(
      scrubMessage('Lookup of "Query.myMfa" failed for "hunter2" and then "more".', undefined, { names }),
    ).toBe('Lookup of "Query.myMfa" failed for "[redacted]');
    expect(scrubMessage('Saw a bad value: hunter2', undefined, { names })).toBe(
      'Saw a bad value: [redacted]',
    );
  });

  it('leaves nothing of a value in a long message of repeated separators', () => {
    const p = `L${'; Field "turnedOn" is not defined by type "X". '.repeat(60)}R`;
    const message = `Variable "$input" got invalid value ${JSON.stringify(p)} at "input.turnedOn"; Boolean cannot represent a non boolean value: ${JSON.stringify(p)}`;
    const scrubbed = scrubMessage(message, 'BAD_USER_INPUT', { names });
    expect(scrubbed).not.toMatch(/L;|"R|R"/);
    expect(scrubbed.startsWith('Variable "$input" got ')).toBe(true);
  });
});

describe('requestSecrets and scrubError', () => {
  it('replaces the request texts in every form, in the message, the stack and the causes', () => {
    const password = 'hunter2 "quoted" \\ back\nslash';
    const token = 'tok.en.value';
    const secrets = requestSecrets(
      {
        tokens: [token],
        query: `mutation { updateMyMfa(input: {password: ${JSON.stringify(password)}, turnedOn: true}) { __typename } }`,
        variables: { input: { password } },
      },
      names,
    );
    const error = new Error(`failed for ${token} with ${JSON.stringify({ password })}`, {
      cause: new Error(`password was ${password}`),
    });
    Object.assign(error, { options: { headers: { 'csp-auth-token': token } }, code: 'ERR_TEST' });
    const scrubbed = JSON.stringify(scrubError(error, { names, secrets }));
    expect(scrubbed).not.toContain('hunter2');
    expect(scrubbed).not.toContain(token);
    expect(scrubbed).toContain('"code":"ERR_TEST"');
    expect(scrubbed).toContain('"cause":{"type":"Error"');
    expect(scrubbed).toMatch(/message-scrubbing\.test\.ts:\d+:\d+/);
  });

  it('keeps schema names and short texts out of the secrets', () => {
    expect(requestSecrets({ variables: { input: { password: 'x', turnedOn: 'input' } } }, names)).toEqual([]);
  });
});
