/**
 * GET /metrics: the Prometheus text, on the main port or on a listener of its own (METRICS_PORT).
 * It is no GraphQL route: no CORS, no CSRF preflight rule, no request body.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { sendJson } from '../http/send-json.js';
import { type Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export function serveMetrics(metrics: Metrics, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendJson(res, 405, { errors: [{ message: 'GET /metrics only.' }] });
  }
  metrics.render().then(
    (text) => {
      res.writeHead(200, {
        'content-type': metrics.contentType,
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    () => {
      if (!res.headersSent)
        sendJson(res, 500, { errors: [{ message: 'The metrics could not be collected.' }] });
    },
  );
}

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

/** A listener that serves GET /metrics and nothing else. */
export async function createMetricsListener(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === METRICS_PATH) return serveMetrics(metrics, req, res);
    sendJson(res, 404, { errors: [{ message: `Not found. Metrics are served at ${METRICS_PATH}.` }] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
