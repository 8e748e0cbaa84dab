/**
 * CORS, closed by default: `Access-Control-Allow-Origin` is sent only to origins on the allow-list
 * (exact match), never `*`, never with credentials (the token travels in a header, not a cookie).
 * Apollo's CSRF prevention stays on, so a cross-site "simple" request cannot run an operation anyway.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { sendJson } from './send-json.js';

/** Headers a browser client may send: the token headers, our request id, Apollo's preflight markers. */
const ALLOWED_HEADERS = [
  'content-type',
  'csp-auth-token',
  'authorization',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');

export interface CorsOptions {
  /** Exact origins (scheme://host[:port]); empty allows none. */
  readonly origins: readonly string[];
  /** How long a browser may cache a preflight answer. Defaults to 600 seconds. */
  readonly maxAgeSeconds?: number;
}

/** What the request handler should do after `applyCors`: go on, or stop (the answer was written). */
export type CorsVerdict = 'continue' | 'answered';

export function createCors(options: CorsOptions) {
  const allowed = new Set(options.origins);
  const maxAge = String(options.maxAgeSeconds ?? 600);

  /** Sets CORS headers for an allowed origin and answers preflight (OPTIONS) requests itself. */
  return function applyCors(req: IncomingMessage, res: ServerResponse, requestId: string): CorsVerdict {
    const origin = req.headers.origin;
    const originAllowed = typeof origin === 'string' && allowed.has(origin);
    // Caches must not serve one origin's answer to another.
    if (allowed.size > 0) res.setHeader('vary', 'Origin');
    if (originAllowed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
    }
    if (req.method !== 'OPTIONS') return 'continue';

    if (origin !== undefined && !originAllowed) {
      sendJson(res, 403, {
        errors: [
          {
            message:
              'This origin may not call the API from a browser. Ask the operator to add it to CORS_ORIGINS.',
            extensions: { code: 'CORS_ORIGIN_NOT_ALLOWED', requestId },
          },
        ],
      });
      return 'answered';
    }
    res.setHeader('allow', 'GET, POST, OPTIONS');
    if (originAllowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', maxAge);
    }
    res.writeHead(204);
    res.end();
    return 'answered';
  };
}
