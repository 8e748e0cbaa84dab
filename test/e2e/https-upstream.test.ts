/**
 * CSP is reached over https in production (CSP_BASE_URL must be https except on loopback), so the client's
 * TLS path is tested against a real https server on loopback with a certificate made for this run: the
 * gateway process trusts it through NODE_EXTRA_CA_CERTS and gets CSP's answer; without that, the
 * certificate is refused before anything is sent, and the caller gets MfaUpstreamUnavailableError.
 * Needs the openssl command; without it the suite skips with one line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PATCH_PATH } from '../helpers/fake-csp.js';
import { UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { startProcess, type GatewayProcess } from '../helpers/process.js';

function opensslMissing(): string | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'the openssl command is not installed';
  }
}

const skipReason = opensslMissing();
if (skipReason) console.log(`https upstream tests skipped: ${skipReason}`);
const describeWithOpenssl = skipReason ? describe.skip : describe;

interface Received {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
  readonly body: string;
}

describeWithOpenssl('the CSP client over https', () => {
  let dir: string;
  let certPath: string;
  let server: https.Server;
  let baseUrl: string;
  const received: Received[] = [];
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'csp-mfa-tls-'));
    certPath = path.join(dir, 'cert.pem');
    const keyPath = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    server = https.createServer({ key: readFileSync(keyPath), cert: readFileSync(certPath) }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const token = req.headers['csp-auth-token'];
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          token: typeof token === 'string' ? token : undefined,
          body,
        });
        const asked = JSON.parse(body) as { turnedOn: boolean };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ turnedOn: asked.turnedOn }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const gateway of gateways) {
      gateway.child.kill('SIGKILL');
      await gateway.exited();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const update = async (gateway: GatewayProcess, token: string) => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'csp-auth-token': token },
      body: JSON.stringify({
        query: UPDATE_MY_MFA,
        variables: { input: { password: 'tls-password', turnedOn: false } },
      }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { data: { updateMyMfa: Record<string, unknown> } };
  };

  it('sends the update over TLS to a CSP whose certificate it trusts, and maps the answer', async () => {
    const gateway = await startProcess({ CSP_BASE_URL: baseUrl, NODE_EXTRA_CA_CERTS: certPath });
    gateways.push(gateway);
    const token = userJwt();
    received.length = 0;
    const result = await update(gateway, token);
    expect(result.data.updateMyMfa).toEqual({ __typename: 'MfaStatus', turnedOn: false });
    expect(received).toEqual([
      {
        method: 'PATCH',
        path: PATCH_PATH,
        token,
        body: JSON.stringify({ password: 'tls-password', turnedOn: false }),
      },
    ]);
  });

  it('refuses a certificate it does not trust: nothing is sent, the caller gets MfaUpstreamUnavailableError', async () => {
    const gateway = await startProcess({ CSP_BASE_URL: baseUrl });
    gateways.push(gateway);
    received.length = 0;
    const result = await update(gateway, userJwt());
    expect(result.data.updateMyMfa.__typename).toBe('MfaUpstreamUnavailableError');
    expect(received).toEqual([]);
  });
});
