/**
 * A client's mistake is a client error: a 4xx (or, for a field error during execution, a 200 with the
 * error on the field) with a code that says what was wrong, and nothing above debug in the log. Before,
 * a subscription, a persisted-query hash mismatch or an argument that fails coercion during execution
 * was answered INTERNAL_SERVER_ERROR and logged as an error with a stack: any client could fill the log.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { userJwt } from '../helpers/operations.js';

const { gateway } = useGatewayOnFakeCsp({ LOG_LEVEL: 'debug' });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'csp-auth-token': userJwt() },
  body: JSON.stringify(body),
});
const get = (params: Record<string, string>) => ({
  path: `/graphql?${new URLSearchParams(params).toString()}`,
  headers: { 'apollo-require-preflight': 'true', 'csp-auth-token': userJwt() },
});
const persisted = (persistedQuery: unknown, query?: string) => ({
  ...(query === undefined ? {} : { query }),
  extensions: { persistedQuery },
});

type Mistake = [string, RequestInit & { path?: string }, number, string];

const MISTAKES: Mistake[] = [
  [
    'a subscription',
    json({ query: 'subscription { myMfa { __typename } }' }),
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a subscription over GET',
    get({ query: 'subscription S { myMfa { __typename } }' }),
    400,
    'GRAPHQL_VALIDATION_FAILED',
  ],
  [
    'a persisted query whose hash does not match',
    json(persisted({ version: 1, sha256Hash: sha256('{ myMfa { __typename } }') }, '{ __typename }')),
    400,
    'BAD_REQUEST',
  ],
  [
    'a persisted query hash mismatch over GET',
    get({
      query: '{ __typename }',
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'abc' } }),
    }),
    400,
    'BAD_REQUEST',
  ],
  [
    'a persisted query version 2',
    json(persisted({ version: 2, sha256Hash: sha256('{ __typename }') }, '{ __typename }')),
    400,
    'BAD_REQUEST',
  ],
  ['a persisted query that is a string', json(persisted('abc', '{ __typename }')), 400, 'BAD_REQUEST'],
  ['a persisted query with no hash', json(persisted({ version: 1 }, '{ __typename }')), 400, 'BAD_REQUEST'],
  [
    'an unknown persisted query',
    json(persisted({ version: 1, sha256Hash: sha256('nope') })),
    200,
    'PERSISTED_QUERY_NOT_FOUND',
  ],
  ['extensions as a string', json({ query: '{ __typename }', extensions: '{}' }), 400, 'BAD_REQUEST'],
  ['extensions as a list', json({ query: '{ __typename }', extensions: [] }), 400, 'BAD_REQUEST'],
  [
    'an unknown operation name',
    json({ query: 'query A { __typename }', operationName: 'B' }),
    400,
    'OPERATION_RESOLUTION_FAILURE',
  ],
  [
    'two operations and no name',
    json({ query: 'query A { __typename } query B { __typename }' }),
    400,
    'OPERATION_RESOLUTION_FAILURE',
  ],
  [
    'an operation name that is not a string',
    json({ query: '{ __typename }', operationName: 1 }),
    400,
    'BAD_REQUEST',
  ],
  [
    'a mutation over GET',
    get({ query: 'mutation { updateMyMfa(input: {password: "x", turnedOn: true}) { __typename } }' }),
    405,
    'BAD_REQUEST',
  ],
  [
    'null for a defaulted variable in a non-null argument',
    json({
      query:
        'mutation U($t: Boolean = true) { updateMyMfa(input: {password: "x", turnedOn: $t}) { __typename } }',
      variables: { t: null },
    }),
    200,
    'BAD_USER_INPUT',
  ],
  [
    'null for a defaulted variable in a directive',
    json({
      query: 'query Q($v: Boolean = true) { myMfa @include(if: $v) { __typename } }',
      variables: { v: null },
    }),
    200,
    'BAD_USER_INPUT',
  ],
  [
    'null for a defaulted variable as the whole input',
    json({
      query:
        'mutation U($i: UpdateMyMfaInput = {password: "x", turnedOn: true}) { updateMyMfa(input: $i) { __typename } }',
      variables: { i: null },
    }),
    200,
    'BAD_USER_INPUT',
  ],
  [
    'a variable of the wrong type',
    json({
      query: 'mutation U($t: Boolean!) { updateMyMfa(input: {password: "x", turnedOn: $t}) { __typename } }',
      variables: { t: 'yes' },
    }),
    400,
    'BAD_USER_INPUT',
  ],
  ['no query', json({ variables: {} }), 400, 'BAD_REQUEST'],
  ['a batch', json([{ query: '{ __typename }' }]), 400, 'BAD_REQUEST'],
  ['a GET without a preflight header', { path: '/graphql?query=%7B__typename%7D' }, 400, 'BAD_REQUEST'],
];

describe('client mistakes', () => {
  it.each(MISTAKES)(
    'answers %s with a client error and logs nothing above debug',
    async (_what, init, status, code) => {
      const before = gateway.logs.length;
      const response = await fetch(`${gateway.url}${init.path ?? '/graphql'}`, init);
      const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(response.status).toBe(status);
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      const loud = gateway.logs.slice(before).filter((line) => /"level":"(?:warn|error|fatal)"/.test(line));
      expect(loud).toEqual([]);
    },
  );
});
