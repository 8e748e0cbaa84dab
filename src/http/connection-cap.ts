/**
 * Caps the open client connections so that slow or idle clients cannot use up the process's file
 * descriptors (which upstream calls, Redis and SQLite need too).
 *
 * A plain cap (net.Server#maxConnections) would turn away everyone, /health included, while stalled
 * clients sit on the slots. Here a connection at the cap takes the place of the oldest connection that is
 * not being answered: one still sending its request (slowly, or not at all) or idling in keep-alive. Only
 * when every connection holds a request being answered is the new one closed without an answer; those
 * end on their own (upstream timeout, shutdown), so the gateway serves again as they finish.
 */
import { type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { type Logger } from '../logging/logger.js';

export interface ConnectionCap {
  /**
   * Marks the request's connection as being answered until the response closes, so it is never the one
   * that makes room. Call it once the request is fully received: a client still sending stays evictable.
   */
  serving(req: IncomingMessage, res: ServerResponse): void;
}

export interface ConnectionCapOptions {
  readonly maxConnections: number;
  readonly logger: Logger;
  /** Least time between two 'connection cap reached' lines; the counts in between are summed. Defaults to 60_000. */
  readonly logEveryMs?: number;
}

export function capConnections(server: Server, options: ConnectionCapOptions): ConnectionCap {
  const { maxConnections, logger } = options;
  const logEveryMs = options.logEveryMs ?? 60_000;
  // A client must not make us log at will: one line per interval, however often the cap is hit.
  let capped = { evicted: 0, refused: 0 };
  let loggedAt = -Infinity;
  const count = (outcome: keyof typeof capped) => {
    capped[outcome]++;
    const now = Date.now();
    if (now - loggedAt < logEveryMs) return;
    logger.warn(
      { ...capped, maxConnections },
      'connection cap reached: closed the oldest waiting connections (evicted) or new ones (refused)',
    );
    loggedAt = now;
    capped = { evicted: 0, refused: 0 };
  };
  // Open connections counted against the cap. A Set keeps insertion order: `waiting` yields the
  // connection that has waited longest since it opened or since its last answer.
  const open = new Set<Socket>();
  const waiting = new Set<Socket>();
  const answering = new Map<Socket, number>();

  server.on('connection', (socket: Socket) => {
    if (open.size >= maxConnections) {
      const oldest = waiting.values().next();
      if (oldest.done) {
        socket.destroy();
        count('refused');
        return;
      }
      forget(oldest.value);
      oldest.value.destroy();
      count('evicted');
    }
    open.add(socket);
    waiting.add(socket);
    socket.once('close', () => forget(socket));
  });

  function forget(socket: Socket): void {
    open.delete(socket);
    waiting.delete(socket);
    answering.delete(socket);
  }

  return {
    serving(req, res) {
      const socket = req.socket;
      if (!open.has(socket)) return;
      waiting.delete(socket);
      // Pipelined requests can overlap on one connection: it is evictable again after the last answer.
      answering.set(socket, (answering.get(socket) ?? 0) + 1);
      res.once('close', () => {
        const left = (answering.get(socket) ?? 1) - 1;
        if (left > 0) {
          answering.set(socket, left);
          return;
        }
        answering.delete(socket);
        if (open.has(socket)) waiting.add(socket);
      });
    },
  };
}
