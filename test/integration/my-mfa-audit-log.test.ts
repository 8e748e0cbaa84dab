import { describe, expect, it } from '@jest/globals';
import { AUDIT_PATH, cspError, DEFAULT_AUDIT_PAGE, drop, html, json } from '../helpers/fake-csp.js';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { MY_MFA_AUDIT_LOG, serviceAccountJwt, userJwt } from '../helpers/operations.js';
import { type MfaAuditLogInput, type MyMfaAuditLogQuery } from '../generated/operations.js';

const { csp, gateway } = useGatewayOnFakeCsp({ CSP_TIMEOUT_MS: '400' });
const TOKEN = userJwt();
const WINDOW: MfaAuditLogInput = { startDate: 1_767_000_000_000, endDate: 1_767_300_000_000 };

async function auditLog(
  input: MfaAuditLogInput = WINDOW,
  headers: Record<string, string> = { 'csp-auth-token': TOKEN },
): Promise<MyMfaAuditLogQuery['myMfaAuditLog']> {
  const answer = await gateway.graphql<MyMfaAuditLogQuery>(MY_MFA_AUDIT_LOG, { input }, headers);
  expect(answer.body.errors).toBeUndefined();
  const member = answer.body.data?.myMfaAuditLog;
  if (!member) throw new Error(`no data in ${JSON.stringify(answer.body)}`);
  return member;
}

describe('myMfaAuditLog', () => {
  it('returns MfaAuditLogPage with CSP’s events, newest first, unknown fields dropped', async () => {
    expect(await auditLog()).toEqual({
      __typename: 'MfaAuditLogPage',
      itemsPerPage: 20,
      startIndex: 1,
      totalResults: 2,
      events: [
        {
          eventId: 'ev-2',
          action: 'MFA_ENABLE',
          eventDate: 1_767_225_600_000,
          deviceName: 'Pixel 9',
          modifiedBy: 'alice@example.com',
          username: 'alice@example.com',
        },
        {
          eventId: 'ev-1',
          action: 'MFA_ACTIVATION',
          eventDate: 1_767_139_200_000,
          deviceName: 'Pixel 9',
          modifiedBy: 'alice@example.com',
          username: 'alice@example.com',
        },
      ],
    });
  });

  it('sends one POST with the caller token and the query as CSP’s JSON body', async () => {
    await auditLog({
      ...WINDOW,
      actions: ['MFA_ENABLE', 'MFA_DISABLE'],
      deviceNames: ['Pixel 9'],
      eventIds: ['ev-1'],
      pageLimit: 5,
      pageStart: 6,
    });
    expect(csp.requests).toHaveLength(1);
    const sent = csp.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: AUDIT_PATH });
    expect(sent?.headers['csp-auth-token']).toBe(TOKEN);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      startDate: WINDOW.startDate,
      endDate: WINDOW.endDate,
      actions: ['MFA_ENABLE', 'MFA_DISABLE'],
      deviceNames: ['Pixel 9'],
      eventIds: ['ev-1'],
      pageLimit: 5,
      pageStart: 6,
    });
  });

  it('sends only the dates when no filter or page is given', async () => {
    await auditLog();
    expect(JSON.parse(csp.requests[0]?.body ?? '')).toEqual({
      startDate: WINDOW.startDate,
      endDate: WINDOW.endDate,
    });
  });

  it('reads absent optional event fields as null and an absent list as no events', async () => {
    csp.onAudit(
      json(200, {
        itemsPerPage: 20,
        startIndex: 1,
        totalResults: 1,
        results: [{ action: 'MFA_DISABLE', eventDate: 5, eventId: 'ev-9' }],
      }),
    );
    expect(await auditLog()).toMatchObject({
      events: [
        {
          eventId: 'ev-9',
          action: 'MFA_DISABLE',
          eventDate: 5,
          deviceName: null,
          modifiedBy: null,
          username: null,
        },
      ],
    });
    csp.onAudit(json(200, { itemsPerPage: 20, startIndex: 1, totalResults: 0 }));
    expect(await auditLog()).toMatchObject({ __typename: 'MfaAuditLogPage', totalResults: 0, events: [] });
  });

  it('returns MfaUnauthenticatedError without a token and calls nothing', async () => {
    expect(await auditLog(WINDOW, {})).toMatchObject({
      __typename: 'MfaUnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('returns MfaServiceAccountNotAllowedError for a service account and calls nothing', async () => {
    expect(await auditLog(WINDOW, { 'csp-auth-token': serviceAccountJwt() })).toMatchObject({
      __typename: 'MfaServiceAccountNotAllowedError',
      code: 'SERVICE_ACCOUNT_NOT_ALLOWED',
    });
    expect(csp.requests).toHaveLength(0);
  });

  it.each([
    ['an end before the start', { startDate: 2_000, endDate: 1_000 }, 'END_BEFORE_START'],
    ['a fractional date', { startDate: 1.5, endDate: 1_000 }, 'DATE_NOT_EPOCH_MS'],
    ['a negative date', { startDate: -1, endDate: 1_000 }, 'DATE_NOT_EPOCH_MS'],
    // The store's and the answer mapper's bound too: microseconds sent as milliseconds land past year 9999.
    ['an end after year 9999', { startDate: 1_000, endDate: 253_402_300_800_000 }, 'DATE_NOT_EPOCH_MS'],
    [
      '21 event ids',
      { ...WINDOW, eventIds: Array.from({ length: 21 }, (_, i) => `ev-${i}`) },
      'TOO_MANY_FILTER_VALUES',
    ],
    [
      '21 device names',
      { ...WINDOW, deviceNames: Array.from({ length: 21 }, (_, i) => `d-${i}`) },
      'TOO_MANY_FILTER_VALUES',
    ],
    ['a negative page limit', { ...WINDOW, pageLimit: -1 }, 'PAGE_WINDOW_TOO_LARGE'],
    ['a negative page start', { ...WINDOW, pageStart: -5 }, 'PAGE_WINDOW_TOO_LARGE'],
  ])('returns MfaInvalidRequestError for %s and calls nothing', async (_name, input, reason) => {
    expect(await auditLog(input)).toMatchObject({
      __typename: 'MfaInvalidRequestError',
      code: 'INVALID_REQUEST',
      retryable: false,
      statusCode: null,
      errorCode: reason,
    });
    expect(csp.requests).toHaveLength(0);
  });

  it('sends 20 event ids and 20 device names on', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `x-${i}`);
    expect(await auditLog({ ...WINDOW, eventIds: twenty, deviceNames: twenty })).toMatchObject({
      __typename: 'MfaAuditLogPage',
    });
    expect(csp.requests).toHaveLength(1);
  });

  it.each([
    [400, 'MfaInvalidRequestError', 'INVALID_REQUEST', false],
    [401, 'MfaUnauthenticatedError', 'UNAUTHENTICATED', false],
    [403, 'MfaForbiddenError', 'FORBIDDEN', false],
    [404, 'MfaNotFoundError', 'NOT_FOUND', false],
    [409, 'MfaConflictError', 'CONFLICT', false],
    [429, 'MfaRateLimitedError', 'RATE_LIMITED', true],
    [500, 'MfaUnexpectedError', 'UNEXPECTED', true],
  ])('maps CSP %i on the audit read to %s', async (status, typename, code, retryable) => {
    csp.onAudit(cspError(status));
    expect(await auditLog()).toMatchObject({
      __typename: typename,
      code,
      retryable,
      statusCode: status,
      cspErrorCode: '420.100',
      moduleCode: 420,
      requestId: 'csp-req-1',
    });
  });

  it('carries Retry-After of a 429 as retryAfterSeconds', async () => {
    csp.onAudit(cspError(429, {}, { 'retry-after': '17' }));
    expect(await auditLog()).toMatchObject({ __typename: 'MfaRateLimitedError', retryAfterSeconds: 17 });
  });

  it.each([502, 503, 504])('maps CSP %i to MfaUpstreamUnavailableError', async (status) => {
    csp.onAudit(cspError(status));
    expect(await auditLog()).toMatchObject({
      __typename: 'MfaUpstreamUnavailableError',
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });

  it('maps an HTML 502 and a dropped connection to MfaUpstreamUnavailableError', async () => {
    csp.onAudit(html(502));
    expect(await auditLog()).toMatchObject({ __typename: 'MfaUpstreamUnavailableError' });
    csp.onAudit(drop);
    expect(await auditLog()).toMatchObject({ __typename: 'MfaUpstreamUnavailableError' });
  });

  it.each([
    ['results that are not a list', { ...DEFAULT_AUDIT_PAGE, results: 'none' }],
    ['a missing totalResults', { itemsPerPage: 20, startIndex: 1, results: [] }],
    ['an event without an id', { ...DEFAULT_AUDIT_PAGE, results: [{ action: 'MFA_ENABLE', eventDate: 1 }] }],
    [
      'an action CSP does not document',
      { ...DEFAULT_AUDIT_PAGE, results: [{ action: 'MFA_SOMETHING_NEW', eventDate: 1, eventId: 'e' }] },
    ],
    [
      'a date that is not epoch milliseconds',
      { ...DEFAULT_AUDIT_PAGE, results: [{ action: 'MFA_ENABLE', eventDate: '2026-01-01', eventId: 'e' }] },
    ],
    ['a JSON array', []],
  ])('maps a 200 with %s to MfaUpstreamUnavailableError', async (_name, body) => {
    csp.onAudit(json(200, body));
    expect(await auditLog()).toMatchObject({
      __typename: 'MfaUpstreamUnavailableError',
      code: 'UPSTREAM_UNAVAILABLE',
      statusCode: 200,
    });
  });
});
