/**
 * What the conformance kit needs from whoever runs it: a registrar for tests, and a fixture that knows
 * how to put principals into their backend. Nothing here depends on a test framework.
 */
import { type GatewayLogOptions, type GatewayOptions } from '../gateway.js';

/**
 * Registers one test: jest's `it` or `test`, node:test's `test` or `it`, or anything with that shape. The
 * kit's functions take no argument (jest would otherwise wait for a `done` callback).
 */
export type TestRegistrar = (name: string, fn: () => Promise<void>) => unknown;

/** Registers a hook that runs once after the tests: jest's `afterAll`, node:test's `after`. */
export type HookRegistrar = (fn: () => Promise<void>) => unknown;

/** A principal the kit asks for. Names are the kit's: `alice@example.com`, `robot-app`, … */
export interface ConformanceUser {
  readonly username: string;
  /** The password `updateMyMfa` must accept; anything else must answer WRONG_PASSWORD. */
  readonly password: string;
}

/**
 * One backend made ready for the kit, by your fixture's `setup()`. Each method changes the backend's data
 * directly (not through the gateway), as an administrator would.
 */
export interface ConformanceBackend {
  /**
   * How the gateway reaches the backend: your backend object, or settings (MFA_BACKEND_MODULE,
   * CSP_BASE_URL, MFA_STORE_PATH, …). The kit adds PORT=0 and HOST=127.0.0.1.
   */
  readonly gateway: Pick<GatewayOptions, 'backend' | 'settings'>;
  /** A user with that password, MFA off and no device activated. */
  addUser(user: ConformanceUser): Promise<void>;
  /** Activates a device for the user (an authenticator app enrolled), MFA still off. */
  activateDevice(username: string, deviceName: string): Promise<void>;
  /** A service account (client credentials): its tokens must be refused with SERVICE_ACCOUNT_NOT_ALLOWED. */
  addServiceAccount(name: string): Promise<void>;
  /** Removes the principal; tokens minted for it before must then answer NOT_FOUND. */
  removePrincipal(name: string): Promise<void>;
  /** A valid token for the principal, as your backend expects it in the `csp-auth-token` header. */
  mintToken(name: string): Promise<string>;
  /** A token for the principal that was valid once and has expired: it must answer UNAUTHENTICATED. */
  mintExpiredToken(name: string): Promise<string>;
  /** Releases what `setup()` made; runs after the gateway (and so the backend) closed. */
  close?(): Promise<void>;
}

export interface ConformanceFixture {
  /**
   * Called once, before any scenario: a backend in which the kit's principal names are free (a fresh
   * one is simplest). The scenarios run in order and each sees the state the earlier ones left.
   */
  setup(): Promise<ConformanceBackend>;
}

export interface ConformanceOptions {
  /** The test registrar: jest's `it`, node:test's `test`. */
  readonly test: TestRegistrar;
  readonly fixture: ConformanceFixture;
  /**
   * jest's `afterAll` or node:test's `after`: the gateway closes there even when a filter skips the
   * kit's last test. Without it, the last test closes it.
   */
  readonly after?: HookRegistrar;
  /** Called with every scenario's GraphQL answer, e.g. to compare two backends answer by answer. */
  readonly onAnswer?: (scenario: string, answer: unknown) => void;
  /** The gateway's log. Defaults to none (level 'silent'). */
  readonly log?: GatewayLogOptions;
}
