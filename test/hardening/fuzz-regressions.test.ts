/** Regression tests for what the bad-input fuzz found, over real HTTP (raw sockets where fetch refuses). */
import { describe, expect, it } from '@jest/globals';
import { useGatewayOnFakeCsp } from '../helpers/harness.js';
import { rawRequest } from './support/raw-http.js';

const { gateway } = useGatewayOnFakeCsp();

describe('fuzz regressions', () => {
  it('answers 400, not 500, to a protocol-relative request target with an invalid port', async () => {
    const port = Number(new URL(gateway.url).port);
    const answer = await rawRequest(port, 'GET //evil.example:99999/x HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('BAD_REQUEST');
    expect(gateway.logs.some((line) => line.includes('"level":"error"'))).toBe(false);
  });
});

describe('fuzz regressions: a client that leaves mid-body', () => {
  it('is not logged as a server error', async () => {
    const port = Number(new URL(gateway.url).port);
    const before = gateway.logs.length;
    // Promises 100 bytes, sends 10, then closes.
    await rawRequest(
      port,
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
      300,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    const lines = gateway.logs.slice(before);
    expect(lines.some((line) => line.includes('"level":"error"'))).toBe(false);
  });
});
