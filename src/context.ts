/**
 * The per-request context, established once per request: who calls (the caller, from the token), the
 * request id, the client's cancellation, the backend stack and the request's loaders.
 */
import { identifyCaller, type Caller } from './auth/caller.js';
import { extractToken, type HeaderSource } from './auth/request-token.js';
import { type ServiceAccountRule } from './auth/token-claims.js';
import { type BackendCall, type MfaBackend } from './backend/mfa-backend.js';
import { type ClientCancellation } from './http/client-cancellation.js';
import { createMfaStatusLoader, type MfaStatusLoader } from './mfa/mfa-status.loader.js';

export interface MfaContext {
  readonly requestId: string;
  /** Null when the request carries no usable token. */
  readonly caller: Caller | null;
  readonly backend: MfaBackend;
  /** The client going away; passed to every backend call (as `cancellation`, and as a `signal` made on first read). */
  readonly cancellation: ClientCancellation;
  /**
   * The request's status loader, created on first use. A method, not a getter: Apollo copies the
   * context with Object.assign, which would run a getter for every request.
   */
  mfaStatusLoader(): MfaStatusLoader;
  /**
   * The call every backend method takes, carrying the one caller of the request, with `fields` added;
   * throws without a caller (resolvers check first). Its `signal` is made only if read, by a getter that
   * a spread copy of the call does not carry: add fields here rather than spreading the call.
   */
  backendCall<T extends object = Record<never, never>>(fields?: T): BackendCall & T;
}

export interface ContextOptions {
  readonly headers: HeaderSource;
  readonly requestId: string;
  readonly cancellation: ClientCancellation;
  readonly backend: MfaBackend;
  readonly serviceAccountRule: ServiceAccountRule;
  /** Also read `Authorization: Bearer` (ACCEPT_AUTHORIZATION_BEARER). */
  readonly acceptBearer: boolean;
}

/**
 * A backend call of this request. `signal` is a getter on the prototype, so the AbortSignal is made only
 * when a backend reads it. Node 20's V8 makes an object literal with a getter, or with fields after a
 * spread, in 0.4–4 µs; this class, in under 0.1 µs (bench/investigations/per-request-objects.mjs).
 */
class RequestCall implements BackendCall {
  readonly token: string;
  constructor(
    readonly caller: Caller,
    readonly requestId: string,
    readonly cancellation: ClientCancellation,
  ) {
    this.token = caller.token;
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }
}

export function createContext(options: ContextOptions): MfaContext {
  const token = extractToken(options.headers, { acceptBearer: options.acceptBearer });
  const caller = token ? identifyCaller(token, options.serviceAccountRule) : null;
  const { cancellation, requestId } = options;
  let loader: MfaStatusLoader | undefined;
  const backendCall = <T extends object>(fields?: T): BackendCall & T => {
    if (!caller) throw new Error('backendCall() needs a caller; check ctx.caller before calling the backend');
    const call = new RequestCall(caller, requestId, cancellation);
    return (fields ? Object.assign(call, fields) : call) as BackendCall & T;
  };
  return {
    requestId,
    caller,
    backend: options.backend,
    cancellation,
    backendCall,
    mfaStatusLoader() {
      loader ??= createMfaStatusLoader(options.backend, backendCall());
      return loader;
    },
  };
}
