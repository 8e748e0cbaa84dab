import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { MyMfaAuditLogDocument, MyMfaDocument, UpdateMyMfaDocument } from '../../src/client/index.js';
import { graphcacheConfig } from '../../src/client/urql.js';
import {
  countingFetch,
  DEVICE_NAME,
  PASSWORD,
  startStoreGateway,
  type StoreGateway,
} from './support/frontend-fixtures.js';

let store: StoreGateway;

beforeAll(async () => {
  store = await startStoreGateway();
});

afterAll(async () => {
  await store.close();
});

function urqlClient(token: string) {
  const counter = countingFetch();
  const client = new Client({
    url: store.gateway.graphqlUrl,
    // Without a full schema Graphcache walks every fragment when writing and, in development, warns about
    // the fields a non-matching one lacks; reads match by possibleTypes. Kept out of the test output.
    exchanges: [cacheExchange({ ...graphcacheConfig, logger: () => undefined }), fetchExchange],
    fetch: counter.fetch,
    fetchOptions: { headers: { 'csp-auth-token': token } },
    preferGetMethod: false,
  });
  return { client, ...counter };
}

describe('urql Graphcache with the kit configuration', () => {
  it('updates the cached myMfa from the updateMyMfa answer, with zero extra requests', async () => {
    const { token } = await store.addUser();
    const { client, count } = urqlClient(token);
    expect((await client.query(MyMfaDocument, {}).toPromise()).data?.myMfa).toMatchObject({
      turnedOn: false,
    });
    const answer = await client
      .mutation(UpdateMyMfaDocument, { input: { password: PASSWORD, turnedOn: true } })
      .toPromise();
    expect(answer.data?.updateMyMfa).toMatchObject({ __typename: 'MfaStatus', turnedOn: true });
    const cached = await client.query(MyMfaDocument, {}, { requestPolicy: 'cache-only' }).toPromise();
    expect(cached.data?.myMfa).toMatchObject({ turnedOn: true, deviceName: DEVICE_NAME });
    expect(count('MyMfa')).toBe(1);
  });

  it('keeps an MfaError member whole through the cache, matched by possibleTypes', async () => {
    const { client, count } = urqlClient('not-a-token');
    const first = await client.query(MyMfaDocument, {}).toPromise();
    const again = await client.query(MyMfaDocument, {}, { requestPolicy: 'cache-only' }).toPromise();
    expect(first.data?.myMfa).toMatchObject({
      __typename: 'MfaUnauthenticatedError',
      code: 'UNAUTHENTICATED',
      retryable: false,
    });
    expect(again.data?.myMfa).toEqual(first.data?.myMfa);
    expect(count('MyMfa')).toBe(1);
  });

  it('reads the audit log again after a change, which wrote an event', async () => {
    const { token } = await store.addUser();
    const { client, count } = urqlClient(token);
    const input = { startDate: Date.now() - 86_400_000, endDate: Date.now() + 86_400_000 };
    const before = await client.query(MyMfaAuditLogDocument, { input }).toPromise();
    expect(before.data?.myMfaAuditLog).toMatchObject({ totalResults: 1 });
    await client.mutation(UpdateMyMfaDocument, { input: { password: PASSWORD, turnedOn: true } }).toPromise();
    const after = await client.query(MyMfaAuditLogDocument, { input }).toPromise();
    expect(after.data?.myMfaAuditLog).toMatchObject({ totalResults: 2 });
    expect(count('MyMfaAuditLog')).toBe(2);
  });
});
