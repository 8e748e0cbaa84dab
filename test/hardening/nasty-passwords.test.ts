/**
 * Passwords made of the characters the redaction could stop at: quotes, backslashes, "; ", " at \"",
 * newlines, unicode, and the very words of graphql-js's messages. Each is sent where graphql-js quotes
 * it back (a variable of the wrong type, an object key, an enum value, an inline literal, an operation
 * name, a token the parser refuses), and nothing of it may come back or reach the log: each password is
 * wrapped in two unique markers, so a value redacted only in part leaves one of them behind.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { MY_MFA_AUDIT_LOG, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';

const NASTY = [
  '; ',
  ' at "',
  '"',
  '\\',
  '\\"',
  '\n',
  '\r\n',
  '\t',
  'ü🔑',
  '\u2028',
  '\u0000',
  ' found ',
  '.',
  '}',
  '{ password: ',
  '$t',
  '[redacted]',
  "'",
  ' Did you mean "turnedOn"?',
  '"; Boolean cannot represent a non boolean value: "',
  '; Field "turnedOn" of required type "Boolean!" was not provided.',
  '" at "input.turnedOn"; Expected type "Boolean". ',
];

const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
]);

interface Password {
  readonly value: string;
  readonly left: string;
  readonly right: string;
}

function password(nasty: string): Password {
  const left = `L${randomBytes(6).toString('hex')}`;
  const right = `R${randomBytes(6).toString('hex')}`;
  return { value: `${left}${nasty}${right}`, left, right };
}

/** A GraphQL string literal of the value (JSON's escapes are GraphQL's). */
const literal = (value: string) => JSON.stringify(value);

/** Every request in which graphql-js quotes the password back. */
function requests(p: string): Array<{ what: string; body: Record<string, unknown> }> {
  const audit =
    'query Q($a: [MfaAuditAction!]) { myMfaAuditLog(input: {startDate: 0, endDate: 1, actions: $a}) { __typename } }';
  return [
    {
      what: 'wrong type',
      body: { query: UPDATE_MY_MFA, variables: { input: { password: p, turnedOn: p } } },
    },
    {
      what: 'object key',
      body: { query: UPDATE_MY_MFA, variables: { input: { [p]: p, password: p, turnedOn: true } } },
    },
    { what: 'whole input', body: { query: UPDATE_MY_MFA, variables: { input: p } } },
    { what: 'list for an object', body: { query: UPDATE_MY_MFA, variables: { input: [{ password: p }] } } },
    { what: 'enum value', body: { query: audit, variables: { a: [p] } } },
    {
      what: 'enum value, audit input',
      body: { query: MY_MFA_AUDIT_LOG, variables: { input: { startDate: p } } },
    },
    {
      what: 'inline, argument coercion',
      body: {
        query: `mutation U($t: Boolean = true) { updateMyMfa(input: {password: ${literal(p)}, turnedOn: $t}) { __typename } }`,
        variables: { t: null },
      },
    },
    {
      what: 'inline, wrong type',
      body: {
        query: `mutation { updateMyMfa(input: {password: "x", turnedOn: ${literal(p)}}) { __typename } }`,
      },
    },
    { what: 'operation name', body: { query: 'query A { __typename }', operationName: p } },
    { what: 'refused token', body: { query: `{ myMfa ${literal(p)} }` } },
    ...(p.includes('"""') ? [] : [{ what: 'refused block string', body: { query: `{ myMfa """${p}""" }` } }]),
  ];
}

const { gateway } = useGatewayOnFakeCsp({ LOG_LEVEL: 'trace' });

describe('BAD_USER_INPUT and other client errors redact whole values', () => {
  it.each(NASTY.map((nasty) => [JSON.stringify(nasty), nasty]))(
    'leaves nothing of a password containing %s in answers or logs',
    async (_name, nasty) => {
      const p = password(nasty);
      const logsBefore = gateway.logs.length;
      const answers: string[] = [];
      for (const { what, body } of requests(p.value)) {
        const response = await fetch(gateway.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        answers.push(`${what}: ${text}`);
        expect(response.status).toBeLessThan(500);
        const { errors } = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
        expect(errors?.length).toBeGreaterThan(0);
        for (const error of errors ?? []) expect(CLIENT_CODES.has(error.extensions?.code ?? '')).toBe(true);
      }
      const logs = gateway.logs.slice(logsBefore);
      const leaks = [...answers, ...logs].filter((text) => text.includes(p.left) || text.includes(p.right));
      expect(leaks).toEqual([]);
      expect(logs.filter((line) => /"level":"(?:warn|error|fatal)"/.test(line))).toEqual([]);
    },
  );
});
