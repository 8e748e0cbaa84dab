import { describe, expect, it } from '@jest/globals';
import { parseAuditQuery, type AuditQueryProblem } from '../../src/backend/store/mfa-audit.js';

const NOW = Date.UTC(2025, 0, 15);
const valid = { startDate: NOW - 86_400_000, endDate: NOW };

function problemOf(raw: unknown): AuditQueryProblem | 'ok' {
  const result = parseAuditQuery(raw, NOW);
  return result.ok ? 'ok' : result.problem;
}

describe('audit request validation', () => {
  it('accepts a minimal request and applies paging defaults', () => {
    expect(parseAuditQuery(valid, NOW)).toEqual({
      ok: true,
      query: { ...valid, actions: null, deviceNames: null, eventIds: null, pageLimit: 20, pageStart: 1 },
    });
  });

  it.each<[string, unknown, AuditQueryProblem]>([
    ['a body that is not an object', [valid], 'MALFORMED'],
    ['missing dates', { startDate: NOW }, 'DATE_NOT_EPOCH_MS'],
    ['ISO date strings', { startDate: '2025-01-01', endDate: '2025-01-02' }, 'DATE_NOT_EPOCH_MS'],
    ['fractional dates', { startDate: 1.5, endDate: NOW }, 'DATE_NOT_EPOCH_MS'],
    ['negative dates', { startDate: -1, endDate: NOW }, 'DATE_NOT_EPOCH_MS'],
    ['an end before the start', { startDate: NOW, endDate: NOW - 1 }, 'END_BEFORE_START'],
    ['a start in the future', { startDate: NOW + 1, endDate: NOW + 2 }, 'START_IN_FUTURE'],
    ['an unknown action', { ...valid, actions: ['MFA_EXPLODE'] }, 'UNSUPPORTED_ACTION'],
    ['actions that are not strings', { ...valid, actions: [1] }, 'MALFORMED'],
    [
      '21 event ids',
      { ...valid, eventIds: Array.from({ length: 21 }, (_, i) => `e${i}`) },
      'TOO_MANY_FILTER_VALUES',
    ],
    [
      '21 device names',
      { ...valid, deviceNames: Array.from({ length: 21 }, (_, i) => `d${i}`) },
      'TOO_MANY_FILTER_VALUES',
    ],
    ['a page limit of 0', { ...valid, pageLimit: 0 }, 'PAGE_WINDOW_TOO_LARGE'],
    ['a page limit of 201', { ...valid, pageLimit: 201 }, 'PAGE_WINDOW_TOO_LARGE'],
    ['a window past 10,000', { ...valid, pageStart: 9_990, pageLimit: 20 }, 'PAGE_WINDOW_TOO_LARGE'],
    ['a page start of 0', { ...valid, pageStart: 0 }, 'PAGE_WINDOW_TOO_LARGE'],
    ['a non-integer page limit', { ...valid, pageLimit: '10' }, 'MALFORMED'],
  ])('refuses %s', (_label, raw, problem) => {
    expect(problemOf(raw)).toBe(problem);
  });

  it('accepts 20 event ids and device names, every known action and an end in the future', () => {
    expect(
      problemOf({
        startDate: NOW,
        endDate: NOW + 1000,
        eventIds: Array.from({ length: 20 }, (_, i) => `e${i}`),
        deviceNames: Array.from({ length: 20 }, (_, i) => `d${i}`),
        actions: ['MFA_ENABLE', 'AUTHENTICATION_WITHOUT_MFA'],
        pageStart: 9_981,
        pageLimit: 20,
      }),
    ).toBe('ok');
  });
});
