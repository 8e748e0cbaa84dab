/** Sends bytes that `fetch` refuses to send (bad request lines, invalid headers) and reads back the status. */
import net from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  readonly text: string;
}

export function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      // Skip interim answers (100 Continue): the final status is the last status line.
      const text = Buffer.concat(chunks)
        .toString('latin1')
        .replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r]*\r\n\r\n)+/, '');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is enough; keep-alive would otherwise hold the socket open until the timeout.
      const text = Buffer.concat(chunks)
        .toString('latin1')
        .replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r]*\r\n\r\n)+/, '');
      const head = text.indexOf('\r\n\r\n');
      if (head === -1) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, head));
      if (!length || text.length - head - 4 >= Number(length[1])) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(bytes);
  });
}
