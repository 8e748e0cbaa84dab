/**
 * A real HTTP server on loopback (port 0) that plays CSP on the documented MFA paths. Each test scripts
 * the answers; every request that arrives is recorded, so tests can assert what was (and was not) sent.
 * The tests' CSP stand-in: load (bench, soak) uses bench/upstream-stub.mjs instead, a separate pinned
 * process with fixed answers; the CSP simulator (src/backend/store/csp-simulator.ts) is the realistic one.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  CSP_MFA_AUDIT_PATH as AUDIT_PATH,
  CSP_MFA_PATH as PATCH_PATH,
  CSP_MFA_STATUS_PATH as STATUS_PATH,
} from '../../src/backend/csp/csp-paths.js';

export { AUDIT_PATH, PATCH_PATH, STATUS_PATH };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export type Reply = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeCsp {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Scripts the answer of `PATCH …/principal/mfa` (default: 200 `{turnedOn: <asked>}`). */
  onPatch(reply: Reply): void;
  /** Scripts the answer of `GET …/principal/mfa/status` (default: 200 with a full status). */
  onStatus(reply: Reply): void;
  /** Scripts the answer of `POST …/principal/mfa/audit` (default: 200 with `DEFAULT_AUDIT_PAGE`). */
  onAudit(reply: Reply): void;
  /** Resolves when a request's socket closed before an answer was written (the client cancelled). */
  cancelled(): Promise<void>;
  /** Forgets the recorded requests and puts every scripted answer back to its default. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_STATUS = {
  activated: true,
  deviceName: 'Pixel 9',
  turnedOn: true,
  username: 'alice@example.com',
};

/** A CSP audit page as documented, plus fields CSP may add that must not come through. */
export const DEFAULT_AUDIT_PAGE = {
  itemsPerPage: 20,
  startIndex: 1,
  totalResults: 2,
  results: [
    {
      action: 'MFA_ENABLE',
      details: { deviceName: 'Pixel 9', ip: '10.0.0.1' },
      eventDate: 1_767_225_600_000,
      eventId: 'ev-2',
      modifiedBy: 'alice@example.com',
      username: 'alice@example.com',
      orgId: 'org-1',
    },
    {
      action: 'MFA_ACTIVATION',
      details: { deviceName: 'Pixel 9' },
      eventDate: 1_767_139_200_000,
      eventId: 'ev-1',
      modifiedBy: 'alice@example.com',
      username: 'alice@example.com',
    },
  ],
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

export function cspError(
  status: number,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Reply {
  return json(
    status,
    {
      statusCode: status,
      cspErrorCode: '420.100',
      errorCode: 'vmwid.mfa.error',
      message: 'Something went wrong',
      moduleCode: '420',
      requestId: 'csp-req-1',
      traceId: 'trace-xyz',
      metadata: { any: 'thing' },
      ...extra,
    },
    { 'csp-request-id': 'csp-header-id', ...headers },
  );
}

export function html(status: number): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end('<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>');
  };
}

export function empty(status: number): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
  };
}

/** Promises more bytes than it sends, then closes: a cut-off body. */
export const truncated: Reply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
  res.write('{"turnedOn":');
  setTimeout(() => res.destroy(), 20);
};

/** Never answers (until the server closes). */
export const hang: Reply = () => undefined;

/** Resets the connection without any answer. */
export const drop: Reply = (req) => {
  req.socket.destroy();
};

export function redirect(location: string): Reply {
  return (_req, res) => {
    res.writeHead(302, { location });
    res.end();
  };
}

export async function startFakeCsp(): Promise<FakeCsp> {
  const requests: RecordedRequest[] = [];
  const defaultStatus = json(200, DEFAULT_STATUS, { 'csp-request-id': 'csp-status-id' });
  const defaultAudit = json(200, DEFAULT_AUDIT_PAGE, { 'csp-request-id': 'csp-audit-id' });
  let patchReply: Reply | undefined;
  let statusReply: Reply = defaultStatus;
  let auditReply: Reply = defaultAudit;
  let cancelledResolve: (() => void) | undefined;
  const cancelledPromise = new Promise<void>((resolve) => (cancelledResolve = resolve));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      res.on('close', () => {
        if (!res.writableFinished) cancelledResolve?.();
      });
      if (req.method === 'PATCH' && path === PATCH_PATH) {
        if (patchReply) return patchReply(req, res);
        const asked = (JSON.parse(body) as { turnedOn?: boolean }).turnedOn;
        return json(200, { turnedOn: asked }, { 'csp-request-id': 'csp-patch-id' })(req, res);
      }
      if (req.method === 'GET' && path === STATUS_PATH) return statusReply(req, res);
      if (req.method === 'POST' && path === AUDIT_PATH) return auditReply(req, res);
      json(404, { statusCode: 404, message: 'no such path' })(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    onPatch: (reply) => (patchReply = reply),
    onStatus: (reply) => (statusReply = reply),
    onAudit: (reply) => (auditReply = reply),
    reset: () => {
      requests.length = 0;
      patchReply = undefined;
      statusReply = defaultStatus;
      auditReply = defaultAudit;
    },
    cancelled: () => cancelledPromise,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function delayed(ms: number, reply: Reply): Reply {
  return (req, res) => {
    setTimeout(() => reply(req, res), ms);
  };
}
