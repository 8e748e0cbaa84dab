import { describe, expect, it } from '@jest/globals';
import {
  mapStatusAnswer,
  mapUpdateAnswer,
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

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
