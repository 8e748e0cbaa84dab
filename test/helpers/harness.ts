/**
 * The usual set-up of a test file, registered with jest in one call: a fake CSP on port 0, a gateway in
 * front of it, the fake reset after each test, and both closed after the file.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { startFakeCsp, type FakeCsp } from './fake-csp.js';
import { startGateway, type TestGateway } from './gateway.js';

export interface GatewayOnFakeCsp {
  readonly csp: FakeCsp;
  readonly gateway: TestGateway;
}

/**
 * `csp` and `gateway` can be taken at the top of the file: they stand for the ones `beforeAll` starts
 * (jest runs hooks after the file's top level), and say so if used before.
 */
export function useGatewayOnFakeCsp(env: Record<string, string> = {}): GatewayOnFakeCsp {
  let csp: FakeCsp | undefined;
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    csp = await startFakeCsp();
    gateway = await startGateway({ CSP_BASE_URL: csp.url, ...env });
  });
  afterEach(() => csp?.reset());
  afterAll(async () => {
    await gateway?.close();
    await csp?.close();
  });
  return { csp: lateBound(() => csp, 'csp'), gateway: lateBound(() => gateway, 'gateway') };
}

function lateBound<T extends object>(current: () => T | undefined, name: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const value = current();
      if (!value) throw new Error(`${name} is started in beforeAll; use it inside a test or hook`);
      const member: unknown = Reflect.get(value, key, value);
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(value) : member;
    },
  });
}
