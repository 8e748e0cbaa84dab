import { type ServerResponse } from 'node:http';

/** Answers with a JSON body: the one shape of every answer the HTTP layer writes itself (not Apollo's). */
export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
