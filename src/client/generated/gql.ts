/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment MfaErrorFields on MfaError {\n  code\n  message\n  retryable\n  statusCode\n  requestId\n  ... on MfaRateLimitedError {\n    retryAfterSeconds\n  }\n}": typeof types.MfaErrorFieldsFragmentDoc,
    "query MyMfaAuditLog($input: MfaAuditLogInput!) {\n  myMfaAuditLog(input: $input) {\n    __typename\n    ... on MfaAuditLogPage {\n      itemsPerPage\n      startIndex\n      totalResults\n      events {\n        __typename\n        eventId\n        action\n        eventDate\n        deviceName\n        modifiedBy\n      }\n    }\n    ...MfaErrorFields\n  }\n}": typeof types.MyMfaAuditLogDocument,
    "query MyMfa {\n  myMfa {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n      activated\n      deviceName\n      username\n    }\n    ...MfaErrorFields\n  }\n}": typeof types.MyMfaDocument,
    "mutation UpdateMyMfa($input: UpdateMyMfaInput!) {\n  updateMyMfa(input: $input) {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n    }\n    ...MfaErrorFields\n  }\n}": typeof types.UpdateMyMfaDocument,
};
const documents: Documents = {
    "fragment MfaErrorFields on MfaError {\n  code\n  message\n  retryable\n  statusCode\n  requestId\n  ... on MfaRateLimitedError {\n    retryAfterSeconds\n  }\n}": types.MfaErrorFieldsFragmentDoc,
    "query MyMfaAuditLog($input: MfaAuditLogInput!) {\n  myMfaAuditLog(input: $input) {\n    __typename\n    ... on MfaAuditLogPage {\n      itemsPerPage\n      startIndex\n      totalResults\n      events {\n        __typename\n        eventId\n        action\n        eventDate\n        deviceName\n        modifiedBy\n      }\n    }\n    ...MfaErrorFields\n  }\n}": types.MyMfaAuditLogDocument,
    "query MyMfa {\n  myMfa {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n      activated\n      deviceName\n      username\n    }\n    ...MfaErrorFields\n  }\n}": types.MyMfaDocument,
    "mutation UpdateMyMfa($input: UpdateMyMfaInput!) {\n  updateMyMfa(input: $input) {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n    }\n    ...MfaErrorFields\n  }\n}": types.UpdateMyMfaDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment MfaErrorFields on MfaError {\n  code\n  message\n  retryable\n  statusCode\n  requestId\n  ... on MfaRateLimitedError {\n    retryAfterSeconds\n  }\n}"): (typeof documents)["fragment MfaErrorFields on MfaError {\n  code\n  message\n  retryable\n  statusCode\n  requestId\n  ... on MfaRateLimitedError {\n    retryAfterSeconds\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyMfaAuditLog($input: MfaAuditLogInput!) {\n  myMfaAuditLog(input: $input) {\n    __typename\n    ... on MfaAuditLogPage {\n      itemsPerPage\n      startIndex\n      totalResults\n      events {\n        __typename\n        eventId\n        action\n        eventDate\n        deviceName\n        modifiedBy\n      }\n    }\n    ...MfaErrorFields\n  }\n}"): (typeof documents)["query MyMfaAuditLog($input: MfaAuditLogInput!) {\n  myMfaAuditLog(input: $input) {\n    __typename\n    ... on MfaAuditLogPage {\n      itemsPerPage\n      startIndex\n      totalResults\n      events {\n        __typename\n        eventId\n        action\n        eventDate\n        deviceName\n        modifiedBy\n      }\n    }\n    ...MfaErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyMfa {\n  myMfa {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n      activated\n      deviceName\n      username\n    }\n    ...MfaErrorFields\n  }\n}"): (typeof documents)["query MyMfa {\n  myMfa {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n      activated\n      deviceName\n      username\n    }\n    ...MfaErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpdateMyMfa($input: UpdateMyMfaInput!) {\n  updateMyMfa(input: $input) {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n    }\n    ...MfaErrorFields\n  }\n}"): (typeof documents)["mutation UpdateMyMfa($input: UpdateMyMfaInput!) {\n  updateMyMfa(input: $input) {\n    __typename\n    ... on MfaStatus {\n      turnedOn\n    }\n    ...MfaErrorFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;