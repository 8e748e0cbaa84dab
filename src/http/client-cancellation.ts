/**
 * The client going away from one request: what the server tells the backend calls it starts. It makes an
 * AbortSignal only when something reads `signal` (a plugged-in backend may); the gateway's own CSP client
 * listens through `onCancel`. On Node 20 an AbortController with its signal, one listener added and removed,
 * costs about 6 µs, paid on every request for an event that almost never comes.
 */
import { type Cancellation } from '../backend/mfa-backend.js';

export class ClientCancellation implements Cancellation {
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;
  private gone = false;

  get cancelled(): boolean {
    return this.gone;
  }

  /** Made on first read, already aborted if the client has gone. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.gone) this.controller.abort();
    }
    return this.controller.signal;
  }

  onCancel(listener: () => void): () => void {
    if (this.gone) {
      listener();
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }

  /** The client went away: every listener runs once, even if one before it throws (the first error is rethrown). */
  cancel(): void {
    if (this.gone) return;
    this.gone = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    let failure: { error: unknown } | undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    this.controller?.abort();
    if (failure) throw failure.error;
  }
}

const noop = (): void => undefined;
