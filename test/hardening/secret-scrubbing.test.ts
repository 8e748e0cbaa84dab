import { describe, expect, it } from '@jest/globals';
import { fail, succeed, type MfaBackend, type MfaFailure } from '../../src/backend/mfa-backend.js';
import { createSecretScrubbingGuard } from '../../src/backend/guards/secret-scrubbing.guard.js';

/** A backend that answers whatever the test says: the decorator's input, not a mocked upstream. */
function answering(failure: Omit<MfaFailure, 'code'>): MfaBackend {
  return {
    kind: 'csp',
    updateMfa: async () => fail({ code: 'CONFLICT', ...failure }),
    getMfaStatus: async () => succeed({ username: String(failure.requestId), deviceName: 'Pixel 9' }),
    getMfaAudit: async () =>
      succeed({
        itemsPerPage: 20,
        startIndex: 1,
        totalResults: 2,
        results: [
          {
            eventId: 'ev-1',
            action: 'MFA_ENABLE',
            eventDate: 1,
            details: { deviceName: String(failure.requestId) },
            modifiedBy: String(failure.requestId),
            username: 'alice@example.com',
          },
          { eventId: String(failure.requestId), action: 'MFA_DISABLE', eventDate: 2, details: {} },
        ],
      }),
    isReady: async () => true,
    close: async () => undefined,
  };
}

const call = (password: string) => ({
  token: 'tok-abcdefghijkl',
  requestId: 'ours-1',
  password,
  turnedOn: true,
});

describe('secret scrubbing', () => {
  it('keeps identifiers that merely contain a one-letter password', async () => {
    const backend = createSecretScrubbingGuard(
      answering({ requestId: 'csp-req-1', cspErrorCode: '420.100' }),
    );
    const outcome = await backend.updateMfa(call('p'));
    expect(!outcome.ok && outcome.failure).toMatchObject({ requestId: 'csp-req-1', cspErrorCode: '420.100' });
  });

  it.each([
    ['the whole password', 'correct-horse-battery', 'correct-horse-battery'],
    ['a long password inside an id', 'req-correct-horse-battery-1', 'correct-horse-battery'],
    ['a short password as a part of an id', 'req-p4ss-1', 'p4ss'],
    ['the token', 'x-tok-abcdefghijkl', 'whatever-long-pw'],
  ])('drops %s, putting our request id in its place', async (_name, echoed, password) => {
    const backend = createSecretScrubbingGuard(answering({ requestId: echoed, errorCode: echoed }));
    const outcome = await backend.updateMfa(call(password));
    expect(!outcome.ok && outcome.failure).toEqual({ code: 'CONFLICT', requestId: 'ours-1' });
  });

  it('drops a status field that echoes the token', async () => {
    const backend = createSecretScrubbingGuard(answering({ requestId: 'tok-abcdefghijkl' }));
    const outcome = await backend.getMfaStatus(call('x'));
    expect(outcome).toEqual({ ok: true, value: { deviceName: 'Pixel 9' } });
  });

  it('drops audit strings that echo the token, and an event whose id echoes it', async () => {
    const backend = createSecretScrubbingGuard(answering({ requestId: 'tok-abcdefghijkl' }));
    const outcome = await backend.getMfaAudit(call('x'), { startDate: 0, endDate: 1 });
    expect(outcome).toEqual({
      ok: true,
      value: {
        itemsPerPage: 20,
        startIndex: 1,
        totalResults: 2,
        results: [
          { eventId: 'ev-1', action: 'MFA_ENABLE', eventDate: 1, details: {}, username: 'alice@example.com' },
        ],
      },
    });
  });

  it('keeps audit strings that carry no secret', async () => {
    const backend = createSecretScrubbingGuard(answering({ requestId: 'admin@example.com' }));
    const outcome = await backend.getMfaAudit(call('x'), { startDate: 0, endDate: 1 });
    expect(outcome.ok && outcome.value.results).toHaveLength(2);
    expect(outcome.ok && outcome.value.results[0]).toMatchObject({
      details: { deviceName: 'admin@example.com' },
      modifiedBy: 'admin@example.com',
    });
  });
});
