/**
 * The per-request context, established once per request: who calls (the caller, from the token), the
 * request id, the client's cancellation, the backend stack and the request's loaders.
 */
import { identifyCaller, type Caller } from './auth/caller.js';
import { extractToken, type HeaderSource } from './auth/request-token.js';
import { type ServiceAccountRule } from './auth/token-claims.js';
import { type BackendCall, type MfaBackend } from './backend/mfa-backend.js';
import { createMfaStatusLoader, type MfaStatusLoader } from './mfa/mfa-status.loader.js';

export interface MfaContext {
  readonly requestId: string;
  /** Null when the request carries no usable token. */
  readonly caller: Caller | null;
  readonly backend: MfaBackend;
  /** Aborted when the client goes away; passed to every backend call. */
  readonly signal: AbortSignal;
  /**
   * The request's status loader, created on first use. A method, not a getter: Apollo copies the
   * context with Object.assign, which would run a getter for every request.
   */
  mfaStatusLoader(): MfaStatusLoader;
  /** The call every backend method takes, carrying the one caller of the request; throws without one (resolvers check first). */
  backendCall(): BackendCall;
}

export interface ContextOptions {
  readonly headers: HeaderSource;
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly backend: MfaBackend;
  readonly serviceAccountRule: ServiceAccountRule;
  /** Also read `Authorization: Bearer` (ACCEPT_AUTHORIZATION_BEARER). */
  readonly acceptBearer: boolean;
}

export function createContext(options: ContextOptions): MfaContext {
  const token = extractToken(options.headers, { acceptBearer: options.acceptBearer });
  const caller = token ? identifyCaller(token, options.serviceAccountRule) : null;
  let loader: MfaStatusLoader | undefined;
  const backendCall = (): BackendCall => {
    if (!caller) throw new Error('backendCall() needs a caller; check ctx.caller before calling the backend');
    return { token: caller.token, caller, requestId: options.requestId, signal: options.signal };
  };
  return {
    requestId: options.requestId,
    caller,
    backend: options.backend,
    signal: options.signal,
    backendCall,
    mfaStatusLoader() {
      loader ??= createMfaStatusLoader(options.backend, backendCall());
      return loader;
    },
  };
}
