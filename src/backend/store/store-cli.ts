/**
 * The store's admin CLI as a function: `cli.ts` only wires it to the process, and tests call it
 * directly. Prints one-line errors and returns the exit code; never throws for user mistakes.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openStore, type StoreTarget } from './open-store.js';
import { showName, toTerminalJson } from './principal-name.js';
import { isStoreError } from './store-errors.js';
import { DEFAULT_STORE_PATH, parseStoreUrl } from './store-options.js';
import type { PrincipalRecord, StoreBackend } from './store-types.js';
import { parseWholeNumber } from '../../whole-number.js';

/**
 * How long a command waits for another process's lock on the store before it gives up with
 * STORE_LOCKED. A command serves nobody else, so it simply lets SQLite wait on its thread
 * (PostgreSQL: its `lock_timeout`).
 */
export const CLI_LOCK_WAIT_MS = 2000;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Only `MFA_STORE_URL` and `MFA_STORE_PATH` are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** All of standard input, for `--password-stdin`. */
  readonly readStdin: () => Promise<string>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options: Options;
  readonly positionals: { readonly min: number; readonly max: number };
  readonly run: (store: StoreBackend, args: readonly string[], values: Values, io: CliIo) => Promise<void>;
}

class UsageError extends Error {}

const GLOBAL_OPTIONS: Options = {
  store: { type: 'string' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = `  --store <path>   a SQLite store file (default: $MFA_STORE_PATH, else ${DEFAULT_STORE_PATH})
  --url <url>      a PostgreSQL store instead, postgres://user@host:5432/db (default: $MFA_STORE_URL)
  -h, --help       show help`;

const generatePassword = (): string => randomBytes(18).toString('base64url');

async function passwordFrom(values: Values, io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (values['password-stdin'] !== true) return { password: generatePassword(), generated: true };
  // One trailing newline is the terminal's, not the password's.
  const password = (await io.readStdin()).replace(/\r?\n$/u, '');
  if (password.length === 0) throw new UsageError('standard input held no password');
  return { password, generated: false };
}

function describe(record: PrincipalRecord): string {
  const mfa =
    record.kind === 'service-account'
      ? '-'
      : `${record.mfa.activated ? 'activated' : 'no device'}, ${record.mfa.turnedOn ? 'on' : 'off'}`;
  const device =
    record.mfa.deviceName === undefined ? '' : `  device=${showName(JSON.stringify(record.mfa.deviceName))}`;
  return `${record.kind.padEnd(15)}  ${showName(record.name)}  mfa: ${mfa}${device}`;
}

function positiveInt(
  value: string | boolean | (string | boolean)[] | undefined,
  flag: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? parseWholeNumber(value) : undefined;
  if (n === undefined || n < 1) throw new UsageError(`${flag} must be a positive whole number`);
  return n;
}

const COMMANDS: Record<string, Command> = {
  add: {
    usage: 'add <name> [--service-account] [--password-stdin]',
    summary:
      'add a user (with a generated password unless --password-stdin), or a service account by client id',
    options: { 'service-account': { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
    positionals: { min: 1, max: 1 },
    async run(store, [name = ''], values, io) {
      if (values['service-account'] === true) {
        if (values['password-stdin'] === true) throw new UsageError('service accounts have no password');
        const record = await store.admin.addPrincipal({ kind: 'service-account', name });
        io.stdout(`added ${describe(record)}\n`);
        return;
      }
      const { password, generated } = await passwordFrom(values, io);
      const record = await store.admin.addPrincipal({ kind: 'user', name, password });
      io.stdout(`added ${describe(record)}\n`);
      if (generated) io.stdout(`password: ${password}\n`);
    },
  },
  list: {
    usage: 'list [--json]',
    summary: 'list principals',
    options: { json: { type: 'boolean' } },
    positionals: { min: 0, max: 0 },
    async run(store, _args, values, io) {
      const records = await store.admin.listPrincipals();
      if (values.json === true) io.stdout(`${toTerminalJson(records)}\n`);
      else if (records.length === 0) io.stdout('no principals\n');
      else io.stdout(records.map((record) => `${describe(record)}\n`).join(''));
    },
  },
  remove: {
    usage: 'remove <name>',
    summary: 'remove a principal (its audit events stay)',
    options: {},
    positionals: { min: 1, max: 1 },
    async run(store, [name = ''], _values, io) {
      await store.admin.removePrincipal(name);
      io.stdout(`removed ${showName(name)}\n`);
    },
  },
  'set-password': {
    usage: 'set-password <username> [--password-stdin]',
    summary: "set a user's password (generated and printed unless --password-stdin)",
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: { min: 1, max: 1 },
    async run(store, [name = ''], values, io) {
      await store.admin.getPrincipal(name);
      const { password, generated } = await passwordFrom(values, io);
      await store.admin.setPassword(name, password);
      io.stdout(`password set for ${showName(name)}\n`);
      if (generated) io.stdout(`password: ${password}\n`);
    },
  },
  activate: {
    usage: 'activate <username> <device-name>',
    summary: 'enrol an MFA device for a user (renames an enrolled one)',
    options: {},
    positionals: { min: 2, max: 2 },
    async run(store, [name = '', device = ''], _values, io) {
      io.stdout(`${describe(await store.admin.activateDevice(name, device))}\n`);
    },
  },
  deactivate: {
    usage: 'deactivate <username>',
    summary: "remove a user's MFA device (turns MFA off first)",
    options: {},
    positionals: { min: 1, max: 1 },
    async run(store, [name = ''], _values, io) {
      io.stdout(`${describe(await store.admin.deactivateDevice(name))}\n`);
    },
  },
  token: {
    usage: 'token <name> [--ttl <seconds>]',
    summary: 'mint an access token for a principal; prints the token only',
    options: { ttl: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    async run(store, [name = ''], values, io) {
      io.stdout(`${await store.admin.mintToken(name, { ttlSeconds: positiveInt(values.ttl, '--ttl') })}\n`);
    },
  },
  audit: {
    usage: 'audit [<name>] [--limit <n>] [--json]',
    summary: 'show MFA audit events, newest first',
    options: { limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: { min: 0, max: 1 },
    async run(store, [name], values, io) {
      const events = await store.admin.readAudit({
        name,
        limit: positiveInt(values.limit, '--limit') ?? 50,
      });
      if (values.json === true) {
        io.stdout(`${toTerminalJson(events)}\n`);
        return;
      }
      if (events.length === 0) io.stdout('no audit events\n');
      for (const event of events) {
        const device =
          event.details.deviceName === undefined
            ? ''
            : `  device=${showName(JSON.stringify(event.details.deviceName))}`;
        io.stdout(
          `${new Date(event.eventDate).toISOString()}  ${event.action.padEnd(26)}  ${showName(event.username ?? '')}  by ${showName(event.modifiedBy ?? '')}${device}\n`,
        );
      }
    },
  },
};

function commandHelp(command: Command): string {
  return `usage: store ${command.usage}\n\n${command.summary}\n\noptions:\n${GLOBAL_HELP}\n`;
}

function overallHelp(): string {
  const lines = Object.entries(COMMANDS).map(
    ([, command]) => `  ${command.usage.padEnd(48)} ${command.summary}`,
  );
  return `usage: store <command> [options]\n\nManages the MFA store (a SQLite file, or a PostgreSQL database with --url).\n\ncommands:\n${lines.join('\n')}\n\nglobal options:\n${GLOBAL_HELP}\n\nRun "store <command> --help" for one command.\n`;
}

/** The flags first, then the environment, as the gateway reads them: a store URL wins over a path. */
function storeTarget(values: Values, env: CliIo['env']): StoreTarget {
  if (typeof values.store === 'string' && typeof values.url === 'string') {
    throw new UsageError('give --store or --url, not both');
  }
  if (typeof values.store === 'string') return { path: values.store };
  const fromFlag = typeof values.url === 'string';
  const rawUrl = fromFlag ? values.url : env.MFA_STORE_URL?.trim() || undefined;
  if (typeof rawUrl === 'string') {
    const url = parseStoreUrl(rawUrl, fromFlag ? '--url' : 'MFA_STORE_URL');
    if (typeof url === 'string') throw new UsageError(url);
    return { url };
  }
  return { path: env.MFA_STORE_PATH ?? DEFAULT_STORE_PATH };
}

/** Runs one CLI command; resolves the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    io.stdout(command && topic ? commandHelp(command) : overallHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`error: unknown command "${name}" (run "store --help")\n`);
    return EXIT_USAGE;
  }

  let positionals: string[];
  let values: Values;
  try {
    ({ positionals, values } = parseArgs({
      args: [...rest],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.stderr(
      `error: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid arguments'} (run "store ${name} --help")\n`,
    );
    return EXIT_USAGE;
  }
  if (values.help === true) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  if (positionals.length < command.positionals.min || positionals.length > command.positionals.max) {
    io.stderr(`error: usage: store ${command.usage}\n`);
    return EXIT_USAGE;
  }

  let store: StoreBackend | undefined;
  try {
    store = await openStore(storeTarget(values, io.env), {
      busyTimeoutMs: CLI_LOCK_WAIT_MS,
      lockWaitMs: CLI_LOCK_WAIT_MS,
    });
    await command.run(store, positionals, values, io);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (isStoreError(error)) {
      io.stderr(`error: ${error.message} [${error.code}]\n`);
      return EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    io.stderr(`error: unexpected failure: ${message}\n`);
    return EXIT_FAILURE;
  } finally {
    await store?.close();
  }
}
