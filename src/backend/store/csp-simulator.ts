/**
 * A local stand-in for CSP's three principal-MFA endpoints, answering from the embedded store with
 * CSP's status codes and `CspErrorResponse` bodies. For contract tests, demos and load tests.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MfaAuditQuery, MfaFailure, MfaFailureCode, Outcome } from '../mfa-backend.js';
import type { StoreBackend } from './store-types.js';

import { CSP_MFA_AUDIT_PATH, CSP_MFA_PATH, CSP_MFA_STATUS_PATH } from '../csp/csp-paths.js';
/** Module 420, "IAM VMwareID", is the service behind these paths (inferred from CSP's error codes). */
export const CSP_MFA_MODULE_CODE = 420;

/** `CspErrorResponse` as the simulator writes it. */
export interface CspErrorBody {
  readonly statusCode: number;
  readonly cspErrorCode: string;
  readonly errorCode: string;
  readonly message: string;
  readonly moduleCode: number;
  readonly requestId: string;
}

/** A misbehaviour to inject before routing, to exercise a client's error handling. */
export type SimulatedFault =
  /** A CSP error body with this status (and `Retry-After` when given). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** What a proxy in front of CSP sends: an HTML page. */
  | { readonly kind: 'html'; readonly status: number }
  | { readonly kind: 'empty'; readonly status: number }
  /** The connection is dropped without an answer. */
  | { readonly kind: 'close' };

export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

export interface CspSimulatorOptions {
  readonly store: StoreBackend;
  /** Added before every answer, to look like a remote service. Defaults to 0. */
  readonly delayMs?: number;
  /** Larger request bodies get a 413. Defaults to 65_536. */
  readonly maxBodyBytes?: number;
  /** Consulted for every request before routing; `undefined` means answer normally. Defaults to none. */
  readonly faults?: (request: SimulatedRequest) => SimulatedFault | undefined;
}

export interface CspSimulator {
  readonly server: Server;
  /** Starts listening (port 0 picks a free one) and resolves the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening and drops open connections; the store stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Error codes the simulator answers with besides the backend's failures. */
type SimulatorErrorCode = MfaFailureCode | 'REQUEST_TOO_LARGE' | 'PATH_NOT_FOUND' | 'METHOD_NOT_ALLOWED';

interface ErrorAnswer {
  readonly status: number;
  /** Our own numbering inside module 420: nothing public lists CSP's. */
  readonly cspErrorCode: string;
  readonly message: string;
}

const ERROR_ANSWERS: Record<SimulatorErrorCode, ErrorAnswer> = {
  PASSWORD_REQUIRED: { status: 400, cspErrorCode: '420.101', message: 'Password was not provided' },
  INVALID_REQUEST: { status: 400, cspErrorCode: '420.102', message: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, cspErrorCode: '420.111', message: 'Unauthenticated User' },
  WRONG_PASSWORD: { status: 403, cspErrorCode: '420.121', message: 'Wrong password provided' },
  FORBIDDEN: { status: 403, cspErrorCode: '420.122', message: 'The user is forbidden to use the API' },
  SERVICE_ACCOUNT_NOT_ALLOWED: {
    status: 403,
    cspErrorCode: '420.123',
    message: 'Service accounts are not allowed to use the API',
  },
  NOT_FOUND: { status: 404, cspErrorCode: '420.131', message: 'No user with given token exists' },
  PATH_NOT_FOUND: { status: 404, cspErrorCode: '420.132', message: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, cspErrorCode: '420.133', message: 'Method not allowed' },
  CONFLICT: {
    status: 409,
    cspErrorCode: '420.141',
    message: 'The request could not be processed due to a conflict',
  },
  REQUEST_TOO_LARGE: { status: 413, cspErrorCode: '420.142', message: 'The request body is too large' },
  RATE_LIMITED: { status: 429, cspErrorCode: '420.151', message: 'The user has sent too many requests' },
  UNEXPECTED: {
    status: 500,
    cspErrorCode: '420.199',
    message: 'An unexpected error has occurred while processing the request',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    cspErrorCode: '420.161',
    message: 'The service is temporarily unavailable',
  },
};

const STATUS_ERROR_CODE: Record<number, SimulatorErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  500: 'UNEXPECTED',
  503: 'UPSTREAM_UNAVAILABLE',
};

const ROUTES: Record<string, string> = {
  [CSP_MFA_PATH]: 'PATCH',
  [CSP_MFA_STATUS_PATH]: 'GET',
  [CSP_MFA_AUDIT_PATH]: 'POST',
};

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extraHeaders?: Record<string, string>,
): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'csp-request-id': requestId,
    ...extraHeaders,
  });
  response.end(json);
}

function sendError(
  response: ServerResponse,
  code: SimulatorErrorCode,
  requestId: string,
  options?: {
    status?: number;
    errorCode?: string;
    retryAfterSeconds?: number;
    headers?: Record<string, string>;
  },
): void {
  const answer = ERROR_ANSWERS[code];
  const status = options?.status ?? answer.status;
  const body: CspErrorBody = {
    statusCode: status,
    cspErrorCode: answer.cspErrorCode,
    errorCode: options?.errorCode ?? code,
    message: answer.message,
    moduleCode: CSP_MFA_MODULE_CODE,
    requestId,
  };
  const headers: Record<string, string> = { ...options?.headers };
  if (options?.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  send(response, status, body, requestId, headers);
}

function sendFailure(response: ServerResponse, failure: MfaFailure, requestId: string): void {
  // A refused audit query carries its reason (END_BEFORE_START, …) in errorCode: answer it as CSP would.
  sendError(response, failure.code, requestId, {
    retryAfterSeconds: failure.retryAfterSeconds,
    errorCode: failure.code === 'INVALID_REQUEST' ? failure.errorCode : undefined,
  });
}

function sendOutcome<T>(response: ServerResponse, outcome: Outcome<T>, requestId: string): void {
  if (outcome.ok) send(response, 200, outcome.value, requestId);
  else sendFailure(response, outcome.failure, requestId);
}

function applyFault(response: ServerResponse, fault: SimulatedFault, requestId: string): void {
  switch (fault.kind) {
    case 'close':
      response.socket?.destroy();
      return;
    case 'html': {
      const html = `<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`;
      response.writeHead(fault.status, {
        'content-type': 'text/html',
        'content-length': Buffer.byteLength(html),
      });
      response.end(html);
      return;
    }
    case 'empty':
      response.writeHead(fault.status, { 'content-length': 0, 'csp-request-id': requestId });
      response.end();
      return;
    case 'status':
      sendError(response, STATUS_ERROR_CODE[fault.status] ?? 'UNEXPECTED', requestId, {
        status: fault.status,
        retryAfterSeconds: fault.retryAfterSeconds,
      });
  }
}

export function createCspSimulator(options: CspSimulatorOptions): CspSimulator {
  const store = options.store;
  const delayMs = options.delayMs ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const faults = options.faults;

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
  ): Promise<void> {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = request.method ?? 'GET';

    if (delayMs > 0) await sleep(delayMs);
    const fault = faults?.({ method, path, headers: request.headers });
    if (fault) {
      request.resume();
      applyFault(response, fault, requestId);
      return;
    }
    const allowed = ROUTES[path];
    if (allowed === undefined) {
      request.resume();
      sendError(response, 'PATH_NOT_FOUND', requestId);
      return;
    }
    if (method !== allowed) {
      request.resume();
      sendError(response, 'METHOD_NOT_ALLOWED', requestId, { headers: { allow: allowed } });
      return;
    }

    const header = request.headers['csp-auth-token'];
    const token = typeof header === 'string' ? header : '';
    const call = { token, requestId };
    if (method === 'GET') {
      request.resume();
      sendOutcome(response, await store.getMfaStatus(call), requestId);
      return;
    }

    let body: unknown;
    try {
      body = parseJson(await readBody(request, maxBodyBytes));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendError(response, 'REQUEST_TOO_LARGE', requestId, { headers: { connection: 'close' } });
        return;
      }
      throw error;
    }

    if (path === CSP_MFA_AUDIT_PATH) {
      if (!isObject(body)) {
        await answerInvalid(response, call);
        return;
      }
      // The store authenticates first and then checks the query, so a bad token wins over a bad query, as at CSP.
      sendOutcome(response, await store.getMfaAudit(call, body as unknown as MfaAuditQuery), requestId);
      return;
    }

    if (!isObject(body)) {
      await answerInvalid(response, call);
      return;
    }
    const { password, turnedOn } = body;
    const passwordGiven = typeof password === 'string' && password !== '';
    const passwordMistyped = password !== undefined && password !== null && typeof password !== 'string';
    if (passwordMistyped || (passwordGiven && typeof turnedOn !== 'boolean')) {
      await answerInvalid(response, call);
      return;
    }
    // A missing password travels as empty: the store answers PASSWORD_REQUIRED after authenticating.
    const outcome = await store.updateMfa({
      ...call,
      password: typeof password === 'string' ? password : '',
      turnedOn: turnedOn === true,
    });
    sendOutcome(response, outcome, requestId);
  }

  /** A malformed body is a 400, but only for a caller we know; anyone else still gets their 401/403/404. */
  async function answerInvalid(
    response: ServerResponse,
    call: { token: string; requestId: string },
  ): Promise<void> {
    const auth = await store.authenticate(call);
    if (!auth.ok) sendFailure(response, auth.failure, call.requestId);
    else sendError(response, 'INVALID_REQUEST', call.requestId);
  }

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    handle(request, response, requestId).catch(() => {
      // The store turns its own faults into outcomes, so this is a bug here; answer like CSP does.
      if (response.headersSent) response.destroy();
      else sendError(response, 'UNEXPECTED', requestId);
    });
  });

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
