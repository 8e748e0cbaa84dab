/**
 * Environment variables and flags → one validated `Config`. The only module that reads `process.env`
 * (through the `env` argument main.ts passes in); defaults live here and nowhere else.
 */
import path from 'node:path';
import { type ServiceAccountRule } from './auth/token-claims.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type BackendConfig =
  | { readonly kind: 'csp'; readonly baseUrl: URL; readonly timeoutMs: number }
  | { readonly kind: 'store'; readonly path: string };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly backend: BackendConfig;
  readonly logLevel: LogLevel;
  readonly production: boolean;
  readonly serviceAccountRule: ServiceAccountRule;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** How long a graceful shutdown waits for in-flight requests before closing sockets. */
  readonly shutdownGraceMs: number;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly errors: string[] };

interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly help: string;
  readonly fallback?: string;
}

/** Every setting, in --help order. Flags win over environment variables. */
export const SETTINGS = {
  cspBaseUrl: {
    env: 'CSP_BASE_URL',
    flag: '--csp-base-url',
    help: 'CSP base URL, e.g. https://console.cloud.vmware.com. When set, requests go to CSP; when unset, to the embedded store.',
  },
  storePath: {
    env: 'MFA_STORE_PATH',
    flag: '--store',
    help: 'SQLite file of the embedded store (used when CSP_BASE_URL is unset); created on demand.',
    fallback: './data/mfa-store.sqlite',
  },
  port: {
    env: 'PORT',
    flag: '--port',
    help: 'TCP port to listen on (0 picks a free one).',
    fallback: '4000',
  },
  host: {
    env: 'HOST',
    flag: '--host',
    help: 'Interface to bind; use 0.0.0.0 in a container.',
    fallback: '127.0.0.1',
  },
  timeoutMs: {
    env: 'CSP_TIMEOUT_MS',
    flag: '--timeout-ms',
    help: 'Upper bound for one upstream call to CSP, in milliseconds (100..120000).',
    fallback: '5000',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: '--log-level',
    help: 'fatal, error, warn, info, debug, trace or silent.',
    fallback: 'info',
  },
  serviceAccountRule: {
    env: 'SERVICE_ACCOUNT_RULE',
    flag: '--service-account-rule',
    help: "How a token is recognised as a service account: 'strict' (no username, acct or domain, and a cid/azp) or 'vmware' (no username and a cid/azp).",
    fallback: 'strict',
  },
  maxBodyBytes: {
    env: 'MAX_BODY_BYTES',
    flag: '--max-body-bytes',
    help: 'Largest accepted request body in bytes.',
    fallback: '65536',
  },
  nodeEnv: {
    env: 'NODE_ENV',
    flag: '--node-env',
    help: "'production' turns the Sandbox landing page and introspection off.",
    fallback: 'development',
  },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const HELP_TEXT = [
  'csp-mfa-graphql — GraphQL gateway for the VMware CSP principal MFA API',
  '',
  'Usage: npm start -- [flags]     (or: node dist/src/main.js [flags])',
  '',
  'Settings (flag, or environment variable; flags win):',
  ...Object.values(SETTINGS).flatMap((s: Setting) => [
    `  ${s.flag.padEnd(26)} ${s.env}${s.fallback === undefined ? '' : ` (default: ${s.fallback})`}`,
    `  ${''.padEnd(26)} ${s.help}`,
  ]),
  `  ${'--help'.padEnd(26)} Print this text and exit.`,
  '',
  'Endpoints: POST/GET /graphql, GET /health (liveness), GET /ready (readiness).',
].join('\n');

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Parses `--flag value` and `--flag=value` pairs; unknown flags are reported, not ignored. */
function parseFlags(argv: readonly string[], errors: string[]): Partial<Record<SettingName, string>> {
  const byFlag = new Map<string, SettingName>(
    Object.entries(SETTINGS).map(([name, s]) => [s.flag, name as SettingName]),
  );
  const values: Partial<Record<SettingName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const name = byFlag.get(flag);
    if (!name) {
      errors.push(`Unknown argument '${arg}'. Run with --help to list the settings.`);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) errors.push(`${flag} needs a value.`);
    else values[name] = value;
  }
  return values;
}

function parseInteger(raw: string, name: string, min: number, max: number, errors: string[]): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    errors.push(`${name} must be a whole number from ${min} to ${max}, got '${raw}'.`);
    return min;
  }
  return value;
}

function parseBaseUrl(raw: string, errors: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    errors.push(
      `CSP_BASE_URL must be an absolute http(s) URL such as https://console.cloud.vmware.com, got '${raw}'.`,
    );
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    errors.push(`CSP_BASE_URL must use http or https, got '${url.protocol}'.`);
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) {
    errors.push('CSP_BASE_URL must not carry credentials, a query or a fragment.');
    return undefined;
  }
  // Keep any path prefix (a proxy mount), always ending in one slash so paths append cleanly.
  url.pathname = url.pathname.replace(/\/+$/, '') + '/';
  return url;
}

/** Reads the settings from flags and environment; every bad value yields its own message. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): ConfigResult {
  const errors: string[] = [];
  const flags = parseFlags(argv, errors);
  const read = (name: SettingName): string | undefined => {
    const setting: Setting = SETTINGS[name];
    const raw = flags[name] ?? env[setting.env];
    return raw === undefined || raw.trim() === '' ? setting.fallback : raw.trim();
  };

  const port = parseInteger(read('port') ?? '', 'PORT', 0, 65_535, errors);
  const host = read('host') ?? '';
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) errors.push(`HOST must be a host name or IP address, got '${host}'.`);

  const logLevel = read('logLevel') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'.`);
  }

  const rule = read('serviceAccountRule');
  if (rule !== 'strict' && rule !== 'vmware') {
    errors.push(`SERVICE_ACCOUNT_RULE must be 'strict' or 'vmware', got '${rule}'.`);
  }

  const timeoutMs = parseInteger(read('timeoutMs') ?? '', 'CSP_TIMEOUT_MS', 100, 120_000, errors);
  const maxBodyBytes = parseInteger(read('maxBodyBytes') ?? '', 'MAX_BODY_BYTES', 1_024, 10_485_760, errors);

  const rawBaseUrl = read('cspBaseUrl');
  let backend: BackendConfig | undefined;
  if (rawBaseUrl !== undefined) {
    const baseUrl = parseBaseUrl(rawBaseUrl, errors);
    if (baseUrl) backend = { kind: 'csp', baseUrl, timeoutMs };
  } else {
    backend = { kind: 'store', path: path.resolve(read('storePath') ?? '') };
  }

  if (errors.length > 0 || !backend) return { ok: false, errors };
  return {
    ok: true,
    config: {
      host,
      port,
      backend,
      logLevel,
      production: read('nodeEnv') === 'production',
      serviceAccountRule: rule as ServiceAccountRule,
      maxBodyBytes,
      shutdownGraceMs: 10_000,
    },
  };
}
