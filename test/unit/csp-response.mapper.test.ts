import { describe, expect, it } from '@jest/globals';
import {
  mapAuditAnswer,
  mapStatusAnswer,
  mapUpdateAnswer,
  MAX_RETRY_AFTER_SECONDS,
  parseRetryAfter,
  type CspAnswer,
} from '../../src/backend/csp/csp-response.mapper.js';

const answer = (statusCode: number, body: unknown, headers: CspAnswer['headers'] = {}): CspAnswer => ({
  statusCode,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('mapUpdateAnswer', () => {
  it.each([
    [400, 'PASSWORD_REQUIRED'],
    [401, 'UNAUTHENTICATED'],
    [403, 'WRONG_PASSWORD'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [429, 'RATE_LIMITED'],
    [500, 'UNEXPECTED'],
    [502, 'UPSTREAM_UNAVAILABLE'],
    [503, 'UPSTREAM_UNAVAILABLE'],
    [504, 'UPSTREAM_UNAVAILABLE'],
    [301, 'UNEXPECTED'],
    [422, 'UNEXPECTED'],
  ])('maps status %i to %s', (status, code) => {
    const outcome = mapUpdateAnswer(answer(status, { message: 'x' }), true);
    expect(outcome).toEqual({ ok: false, failure: expect.objectContaining({ code, statusCode: status }) });
  });

  it('keeps the documented identifiers and drops everything else', () => {
    const outcome = mapUpdateAnswer(
      answer(409, {
        cspErrorCode: '540.120-340.800',
        errorCode: 'mfa.conflict',
        moduleCode: ' 540 ',
        requestId: 'r-1',
        stackTrace: 'java.lang.IllegalStateException',
        causes: [{ message: 'x' }],
        service: 'https://internal.example/iam',
      }),
      true,
    );
    expect(outcome).toEqual({
      ok: false,
      failure: {
        code: 'CONFLICT',
        statusCode: 409,
        cspErrorCode: '540.120-340.800',
        errorCode: 'mfa.conflict',
        moduleCode: 540,
        requestId: 'r-1',
      },
    });
  });

  it('drops identifiers that look like URLs or free text', () => {
    const outcome = mapUpdateAnswer(
      answer(500, { errorCode: 'https://evil.example/x', requestId: 'has spaces' }),
      true,
    );
    expect(outcome.ok ? undefined : outcome.failure).toEqual({ code: 'UNEXPECTED', statusCode: 500 });
  });

  it('falls back to the csp-request-id header', () => {
    const outcome = mapUpdateAnswer(answer(404, {}, { 'csp-request-id': 'hdr-9' }), true);
    expect(outcome.ok ? undefined : outcome.failure.requestId).toBe('hdr-9');
  });

  it('ignores a moduleCode that is not numeric', () => {
    const outcome = mapUpdateAnswer(answer(404, { moduleCode: 'IAM' }), true);
    expect(outcome.ok ? undefined : outcome.failure.moduleCode).toBeUndefined();
  });

  it('reads Retry-After only on 429', () => {
    const limited = mapUpdateAnswer(answer(429, {}, { 'retry-after': '12' }), true);
    expect(limited.ok ? undefined : limited.failure.retryAfterSeconds).toBe(12);
    const other = mapUpdateAnswer(answer(503, {}, { 'retry-after': '12' }), true);
    expect(other.ok ? undefined : other.failure.retryAfterSeconds).toBeUndefined();
  });

  it('accepts a 200 with turnedOn, or without it as the requested state', () => {
    expect(mapUpdateAnswer(answer(200, { turnedOn: false }), true)).toEqual({
      ok: true,
      value: { turnedOn: false },
    });
    expect(mapUpdateAnswer(answer(200, {}), false)).toEqual({ ok: true, value: { turnedOn: false } });
  });

  it.each([['<html>oops</html>'], [''], ['{"turnedOn":'], ['[true]'], ['{"turnedOn":"yes"}']])(
    'treats a 200 with %j as not a CSP answer',
    (body) => {
      const outcome = mapUpdateAnswer(answer(200, body), true);
      expect(outcome.ok ? undefined : outcome.failure.code).toBe('UPSTREAM_UNAVAILABLE');
    },
  );
});

describe('mapStatusAnswer', () => {
  it('maps 403 to FORBIDDEN, not WRONG_PASSWORD', () => {
    const outcome = mapStatusAnswer(answer(403, {}));
    expect(outcome.ok ? undefined : outcome.failure.code).toBe('FORBIDDEN');
  });

  it('passes the documented fields and ignores unknown ones', () => {
    expect(
      mapStatusAnswer(
        answer(200, { activated: true, deviceName: 'd', turnedOn: false, username: 'u', extra: 1 }),
      ),
    ).toEqual({
      ok: true,
      value: { activated: true, deviceName: 'd', turnedOn: false, username: 'u' },
    });
  });

  it('treats nulls as absent and wrong types as not a CSP answer', () => {
    expect(mapStatusAnswer(answer(200, { activated: null }))).toEqual({ ok: true, value: {} });
    const outcome = mapStatusAnswer(answer(200, { deviceName: 7 }));
    expect(outcome.ok ? undefined : outcome.failure.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('mapAuditAnswer', () => {
  const event = {
    action: 'MFA_ENABLE',
    details: { deviceName: 'Pixel 9' },
    eventDate: 1_767_225_600_000,
    eventId: 'ev-1',
    modifiedBy: 'alice@example.com',
    username: 'alice@example.com',
  };
  const page = (results: unknown): Record<string, unknown> => ({
    itemsPerPage: 20,
    startIndex: 1,
    totalResults: 1,
    results,
  });
  const codeOf = (body: unknown) => {
    const outcome = mapAuditAnswer(answer(200, body));
    return outcome.ok ? 'ok' : outcome.failure.code;
  };

  it.each([
    [400, 'INVALID_REQUEST'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [429, 'RATE_LIMITED'],
    [500, 'UNEXPECTED'],
    [502, 'UPSTREAM_UNAVAILABLE'],
    [503, 'UPSTREAM_UNAVAILABLE'],
    [504, 'UPSTREAM_UNAVAILABLE'],
    [302, 'UNEXPECTED'],
    [422, 'UNEXPECTED'],
  ])('maps status %i to %s', (status, code) => {
    const outcome = mapAuditAnswer(answer(status, { message: 'x' }));
    expect(outcome).toEqual({ ok: false, failure: expect.objectContaining({ code, statusCode: status }) });
  });

  it('maps 400 to INVALID_REQUEST, not PASSWORD_REQUIRED, keeping CSP’s reason', () => {
    const outcome = mapAuditAnswer(answer(400, { errorCode: 'END_BEFORE_START', moduleCode: '420' }));
    expect(outcome).toEqual({
      ok: false,
      failure: { code: 'INVALID_REQUEST', statusCode: 400, errorCode: 'END_BEFORE_START', moduleCode: 420 },
    });
  });

  it('passes the documented fields and drops unknown ones', () => {
    const body = {
      ...page([{ ...event, details: { deviceName: 'Pixel 9', ip: '10.0.0.1' }, orgId: 'o' }]),
      links: { next: 'https://x' },
    };
    expect(mapAuditAnswer(answer(200, body))).toEqual({
      ok: true,
      value: { itemsPerPage: 20, startIndex: 1, totalResults: 1, results: [event] },
    });
  });

  it('tolerates absent or null optional fields and an absent list', () => {
    const bare = { action: 'MFA_DISABLE', eventDate: 0, eventId: 'e' };
    expect(mapAuditAnswer(answer(200, page([{ ...bare, details: null, modifiedBy: null }])))).toEqual({
      ok: true,
      value: { itemsPerPage: 20, startIndex: 1, totalResults: 1, results: [{ ...bare, details: {} }] },
    });
    expect(mapAuditAnswer(answer(200, { itemsPerPage: 20, startIndex: 1, totalResults: 0 }))).toEqual({
      ok: true,
      value: { itemsPerPage: 20, startIndex: 1, totalResults: 0, results: [] },
    });
  });

  it.each([
    ['a page without totalResults', { itemsPerPage: 20, startIndex: 1, results: [] }],
    ['a negative count', { ...page([]), totalResults: -1 }],
    ['a fractional count', { ...page([]), itemsPerPage: 2.5 }],
    ['results that are not a list', page({ 0: event })],
    ['an event that is not an object', page(['ev-1'])],
    ['an event without an id', page([{ ...event, eventId: undefined }])],
    ['an event with an empty id', page([{ ...event, eventId: '' }])],
    ['an undocumented action', page([{ ...event, action: 'MFA_NEW_THING' }])],
    ['a date as text', page([{ ...event, eventDate: '2026-01-01' }])],
    ['a fractional date', page([{ ...event, eventDate: 1_767_225_600.5 }])],
    ['a device name that is not text', page([{ ...event, details: { deviceName: 9 } }])],
    ['details that are not an object', page([{ ...event, details: 'Pixel 9' }])],
    ['a username that is not text', page([{ ...event, username: { name: 'a' } }])],
  ])('treats a 200 with %s as not a CSP answer', (_name, body) => {
    expect(codeOf(body)).toBe('UPSTREAM_UNAVAILABLE');
  });

  it.each([['<html>oops</html>'], [''], ['{"results":'], ['[]']])(
    'treats a 200 with %j as not a CSP answer',
    (body) => {
      expect(codeOf(body)).toBe('UPSTREAM_UNAVAILABLE');
    },
  );
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter(' 30 ', now)).toBe(30);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('accepts the obsolete RFC 850 and asctime date forms, as UTC', () => {
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Thu Jan  1 00:03:00 2026', now)).toBe(180);
  });

  it.each([
    ['a date in year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT', MAX_RETRY_AFTER_SECONDS],
    ['an 11-digit number', '99999999999', MAX_RETRY_AFTER_SECONDS],
    ['a 400-digit number', '9'.repeat(400), MAX_RETRY_AFTER_SECONDS],
    ['one second over a day', String(MAX_RETRY_AFTER_SECONDS + 1), MAX_RETRY_AFTER_SECONDS],
    ['a date in the past', 'Wed, 31 Dec 2025 00:00:00 GMT', 1],
    ['zero', '0', 1],
  ])('clamps %s to 1..one day', (_name, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    ['a negative number', '-5'],
    ['a fraction', '1.5'],
    ['an exponent', '1e3'],
    ['hex', '0x10'],
    ['a signed year', '+2027'],
    ['an ISO date', '2026-01-02T00:00:00Z'],
    ['a date without its zone', 'Thu, 01 Jan 2026 00:01:00'],
    ['two values', '30, 40'],
    ['empty', ''],
  ])('ignores %s', (_name, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
