/**
 * Reading a request body: bounded by size, tolerant of clients that leave mid-body, and JSON parsed
 * only when the client says it is JSON. Every refusal is a RequestBodyError with an HTTP status and a
 * stable code, answered as a client error.
 */
import { type IncomingMessage } from 'node:http';

/** A body the server refuses to read: too large, cut off, empty or not JSON. */
export class RequestBodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The body as text, refusing more than `limit` bytes. Events, not `for await`: it is on every request's path. */
function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(
          new RequestBodyError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    // The client went away mid-body ('aborted', ECONNRESET): its fault, not a server error (fuzz find).
    const onGone = () => {
      cleanup();
      reject(new RequestBodyError(400, 'BAD_REQUEST', 'The request body ended before its declared length.'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('aborted', onGone);
  });
}

/** Reads at most `limit` bytes; parses JSON bodies. Other content types go to Apollo as-is (it answers 4xx). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new RequestBodyError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);
  }
  const text = await readText(req, limit);
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/(?:graphql-response\+)?json\b/i.test(contentType)) return text;
  if (text.trim() === '') throw new RequestBodyError(400, 'BAD_REQUEST', 'The request body is empty.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RequestBodyError(400, 'BAD_REQUEST', 'The request body is not valid JSON.');
  }
}
