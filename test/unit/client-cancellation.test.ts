import { describe, expect, it, jest } from '@jest/globals';
import { cancellationOf } from '../../src/backend/mfa-backend.js';
import { createContext } from '../../src/context.js';
import { HeaderMap } from '@apollo/server';
import { ClientCancellation } from '../../src/http/client-cancellation.js';
import { type MfaBackend } from '../../src/backend/mfa-backend.js';

describe('ClientCancellation', () => {
  it('calls each listener once when the client goes away, and none that unregistered', () => {
    const cancellation = new ClientCancellation();
    const kept = jest.fn();
    const dropped = jest.fn();
    cancellation.onCancel(kept);
    const stop = cancellation.onCancel(dropped);
    stop();
    expect(cancellation.cancelled).toBe(false);
    cancellation.cancel();
    cancellation.cancel();
    expect(cancellation.cancelled).toBe(true);
    expect(kept).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
  });

  it('calls a listener at once when the client has already gone', () => {
    const cancellation = new ClientCancellation();
    cancellation.cancel();
    const late = jest.fn();
    cancellation.onCancel(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('runs every listener even when one throws, then rethrows the first error', () => {
    const cancellation = new ClientCancellation();
    const after = jest.fn();
    cancellation.onCancel(() => {
      throw new Error('first');
    });
    cancellation.onCancel(after);
    expect(() => cancellation.cancel()).toThrow('first');
    expect(after).toHaveBeenCalledTimes(1);
    expect(cancellation.signal.aborted).toBe(true);
  });

  it('gives an AbortSignal that aborts with it, whether read before or after', () => {
    const early = new ClientCancellation();
    const signal = early.signal;
    const onAbort = jest.fn();
    signal.addEventListener('abort', onAbort);
    expect(signal.aborted).toBe(false);
    early.cancel();
    expect(signal.aborted).toBe(true);
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(early.signal).toBe(signal);

    const late = new ClientCancellation();
    late.cancel();
    expect(late.signal.aborted).toBe(true);
  });
});

describe('the backend call a request makes', () => {
  const backend = {} as MfaBackend;
  const contextWith = (cancellation: ClientCancellation) =>
    createContext({
      headers: new HeaderMap([['csp-auth-token', 'opaque-token']]),
      requestId: 'req-1',
      cancellation,
      backend,
      serviceAccountRule: 'vmware',
      acceptBearer: false,
    });

  it('carries the cancellation, and a signal made only when a backend reads it', () => {
    const cancellation = new ClientCancellation();
    const call = contextWith(cancellation).backendCall({ password: 'p', turnedOn: true });
    expect(call).toMatchObject({ token: 'opaque-token', requestId: 'req-1', password: 'p', turnedOn: true });
    expect(call.cancellation).toBe(cancellation);
    // Nothing made yet: the signal is a getter, read by a backend that wants one.
    expect(Object.getOwnPropertyDescriptor(call, 'signal')).toBeUndefined();
    const signal = call.signal;
    cancellation.cancel();
    expect(signal?.aborted).toBe(true);
    // A spread copy carries the cancellation, which is how the gateway's own backends listen.
    const copied = { ...call };
    expect(copied.cancellation).toBe(cancellation);
    expect(cancellationOf(copied)?.cancelled).toBe(true);
  });

  it('is told of the client going away through a signal alone, when a backend is called directly', () => {
    const controller = new AbortController();
    const told = jest.fn();
    const cancellation = cancellationOf({ token: 't', requestId: 'r', signal: controller.signal });
    const stop = cancellation?.onCancel(told);
    expect(cancellation?.cancelled).toBe(false);
    controller.abort();
    expect(cancellation?.cancelled).toBe(true);
    expect(told).toHaveBeenCalledTimes(1);
    stop?.();
    expect(cancellationOf({ token: 't', requestId: 'r' })).toBeUndefined();
  });
});
