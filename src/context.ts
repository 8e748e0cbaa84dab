/** The per-request context: who calls (token, claims), the request id, the backend and the request's loaders. */
import { classifyToken, type ServiceAccountRule, type TokenIdentity } from './auth/token-claims.js';
import { extractToken, type HeaderSource } from './auth/request-token.js';
import { type BackendCall, type MfaBackend } from './backend/mfa-backend.js';
import { createMfaStatusLoader, type MfaStatusLoader } from './mfa/mfa-status.loader.js';

export interface MfaContext {
  readonly requestId: string;
  /** Null when the request carries no usable token. */
  readonly token: string | null;
  readonly identity: TokenIdentity;
  readonly backend: MfaBackend;
  /** Aborted when the client goes away; passed to every backend call. */
  readonly signal: AbortSignal;
  /**
   * The request's status loader, created on first use. A method, not a getter: Apollo copies the
   * context with Object.assign, which would run a getter for every request.
   */
  mfaStatusLoader(): MfaStatusLoader;
  /** The call shape every backend method takes; throws if there is no token (resolvers check first). */
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

const NO_CLAIMS: TokenIdentity = { kind: 'unknown', claims: null };

export function createContext(options: ContextOptions): MfaContext {
  const token = extractToken(options.headers, { acceptBearer: options.acceptBearer });
  const identity = token ? classifyToken(token, options.serviceAccountRule) : NO_CLAIMS;
  let loader: MfaStatusLoader | undefined;
  const backendCall = (): BackendCall => {
    if (!token) throw new Error('backendCall() needs a token; check ctx.token before calling the backend');
    return { token, requestId: options.requestId, signal: options.signal };
  };
  return {
    requestId: options.requestId,
    token,
    identity,
    backend: options.backend,
    signal: options.signal,
    backendCall,
    mfaStatusLoader() {
      loader ??= createMfaStatusLoader(options.backend, backendCall());
      return loader;
    },
  };
}
