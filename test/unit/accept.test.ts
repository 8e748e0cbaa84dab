import { describe, expect, it } from '@jest/globals';
import Negotiator from 'negotiator';
import { acceptMeansNothing } from '../../src/http/accept.js';

// The media types Apollo Server 5 negotiates over (MEDIA_TYPES in @apollo/server's ApolloServer.ts), and the
// questions it asks of an Accept header: chooseContentTypeForSingleResultResponse, the legacy incremental
// check in requestPipeline.ts, and prefersHTML for a GET.
const JSON_UTF8 = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';
const JSON_CALLBACK = 'application/json; callbackSpec=1.0; charset=utf-8';
const ALPHA_2 = 'multipart/mixed; deferSpec=20220824';
const ALPHA_9 = 'multipart/mixed; incrementalSpec=v0.2';
const MULTIPART = 'multipart/mixed';
const HTML = 'text/html';

const pick = (accept: string | undefined, types: string[]) =>
  new Negotiator({ headers: { accept } }).mediaType(types);

/** What Apollo decides from an Accept header; `undefined` is no header. */
function apolloReads(accept: string | undefined) {
  return {
    singleResultType: accept
      ? (pick(accept, [JSON_UTF8, GRAPHQL_RESPONSE, JSON_CALLBACK]) ?? null)
      : JSON_UTF8,
    legacyIncremental: pick(accept, [ALPHA_9, ALPHA_2]) === ALPHA_2,
    prefersHtmlOnGet:
      !!accept && pick(accept, [JSON_UTF8, GRAPHQL_RESPONSE, ALPHA_2, ALPHA_9, MULTIPART, HTML]) === HTML,
  };
}

describe('acceptMeansNothing', () => {
  it.each(['application/json', '*/*'])('%j is dropped, and Apollo reads it as no header', (accept) => {
    expect(acceptMeansNothing(accept)).toBe(true);
    expect(apolloReads(accept)).toEqual(apolloReads(undefined));
  });

  it.each([
    // Apollo Client, urql and graphql-request: they choose graphql-response+json, so they must reach Apollo.
    'application/graphql-response+json,application/json;q=0.9',
    'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
    'application/graphql-response+json, application/json',
    // A browser's navigation asks for HTML.
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'multipart/mixed; deferSpec=20220824, application/json',
    'text/plain',
    // Spelled differently from the listed values: left to Apollo rather than guessed at.
    'Application/JSON',
    'application/json ',
  ])('%j reaches Apollo as sent', (accept) => {
    expect(acceptMeansNothing(accept)).toBe(false);
  });

  it('would be wrong to drop the values it keeps: they change what Apollo answers', () => {
    for (const accept of [
      'application/graphql-response+json,application/json;q=0.9',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'multipart/mixed; deferSpec=20220824, application/json',
      'text/plain',
    ]) {
      expect(apolloReads(accept)).not.toEqual(apolloReads(undefined));
    }
  });
});
