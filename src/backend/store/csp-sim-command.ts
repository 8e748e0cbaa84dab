/**
 * The `npm run csp-sim` command as a function: parses flags, opens the store, seeds a demo user
 * into an empty one, and starts the simulator. `csp-sim.main.ts` only wires it to the process.
 */
import { parseArgs } from 'node:util';
import { createCspSimulator } from './csp-simulator.js';
import { seedDemoIfEmpty } from './demo-seed.js';
import { createSqliteStore } from './sqlite-store.js';
import { isStoreError } from './store-errors.js';
import type { StoreBackend } from './store-types.js';
import { parseWholeNumber } from '../../whole-number.js';

export const DEFAULT_SIMULATOR_STORE_PATH = './data/csp-sim.sqlite';
export const DEFAULT_SIMULATOR_PORT = 4100;

export interface SimulatorCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Only `CSP_SIM_STORE_PATH` is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type SimulatorCommandResult =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'running'; readonly url: string; readonly stop: () => Promise<void> };

const HELP = `usage: csp-sim [options]

Serves CSP's three principal-MFA endpoints from an embedded store, for tests, demos and load tests.

options:
  --port <n>                 port to listen on; 0 picks a free one (default ${DEFAULT_SIMULATOR_PORT})
  --host <address>           address to bind (default 127.0.0.1)
  --store <path>             the store file (default: $CSP_SIM_STORE_PATH, else ${DEFAULT_SIMULATOR_STORE_PATH})
  --delay-ms <n>             latency added to every answer (default 0)
  --token-ttl-seconds <n>    lifetime of minted tokens (default 1800)
  --password-cache-ms <n>    remember a correct password this long to skip scrypt under load; 0 = off (default 60000)
  -h, --help                 show this help

An empty store gets a demo user; its password and token are printed once.
Manage principals with: npm run store -- --store <path> <command>
`;

function wholeNumber(
  value: string | undefined,
  flag: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  const n = parseWholeNumber(value);
  if (n === undefined || n > max) throw new RangeError(`${flag} must be a whole number from 0 to ${max}`);
  return n;
}

/** Starts the simulator, or resolves an exit code for `--help` and for mistakes (printed as one line). */
export async function runCspSimulatorCommand(
  argv: readonly string[],
  io: SimulatorCommandIo,
): Promise<SimulatorCommandResult> {
  let settings: {
    port: number;
    host: string;
    storePath: string;
    delayMs: number;
    tokenTtlSeconds: number;
    passwordCacheTtlMs: number;
  };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        store: { type: 'string' },
        'delay-ms': { type: 'string' },
        'token-ttl-seconds': { type: 'string' },
        'password-cache-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.stdout(HELP);
      return { kind: 'exit', code: 0 };
    }
    settings = {
      port: wholeNumber(values.port, '--port', DEFAULT_SIMULATOR_PORT, 65_535),
      host: values.host ?? '127.0.0.1',
      storePath: values.store ?? io.env.CSP_SIM_STORE_PATH ?? DEFAULT_SIMULATOR_STORE_PATH,
      delayMs: wholeNumber(values['delay-ms'], '--delay-ms', 0, 600_000),
      tokenTtlSeconds: Math.max(1, wholeNumber(values['token-ttl-seconds'], '--token-ttl-seconds', 1800)),
      passwordCacheTtlMs: wholeNumber(values['password-cache-ms'], '--password-cache-ms', 60_000),
    };
  } catch (error) {
    io.stderr(
      `error: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid arguments'} (run with --help)\n`,
    );
    return { kind: 'exit', code: 2 };
  }

  let store: StoreBackend | undefined;
  try {
    store = await createSqliteStore({
      path: settings.storePath,
      tokenTtlSeconds: settings.tokenTtlSeconds,
      passwordCacheTtlMs: settings.passwordCacheTtlMs,
    });
    const demo = await seedDemoIfEmpty(store);
    const simulator = createCspSimulator({ store, delayMs: settings.delayMs });
    const url = await simulator.listen(settings.port, settings.host);
    io.stdout(`CSP simulator listening on ${url} (store ${store.location})\n`);
    io.stdout(`point the gateway at it with: CSP_BASE_URL=${url}\n`);
    if (demo) {
      io.stdout(`seeded demo user ${demo.username} with password ${demo.password}\n`);
      io.stdout(`demo token (valid ${settings.tokenTtlSeconds} s):\n${demo.token}\n`);
    }
    const opened = store;
    return {
      kind: 'running',
      url,
      stop: async () => {
        await simulator.close();
        await opened.close();
      },
    };
  } catch (error) {
    await store?.close();
    const message = isStoreError(error)
      ? `${error.message} [${error.code}]`
      : error instanceof Error
        ? error.message.split('\n')[0]
        : String(error);
    io.stderr(`error: ${message}\n`);
    return { kind: 'exit', code: 1 };
  }
}
