/**
 * Environment variables and flags → one validated `Config`. The only module that reads `process.env`
 * (through the `env` argument main.ts passes in); defaults live here and nowhere else.
 */
import path from 'node:path';
import { parseStoreUrl } from './backend/store/store-options.js';
import {
  CSP_PRODUCTION_HOST,
  CSP_PRODUCTION_ISSUER,
  SETTINGS,
  type Setting,
  type SettingName,
} from './settings.js';
import { parseWholeNumber } from './whole-number.js';

export { CSP_PRODUCTION_ISSUER, describeSetting, HELP_TEXT, SETTINGS, wantsHelp } from './settings.js';

/** `strict`: no username, acct or domain, and a cid/azp. `vmware`: VMware's own rule, no username and a cid/azp. */
export type ServiceAccountRule = 'strict' | 'vmware';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type BackendConfig =
  | { readonly kind: 'csp'; readonly baseUrl: URL; readonly timeoutMs: number }
  | { readonly kind: 'store'; readonly engine: 'sqlite'; readonly path: string }
  | { readonly kind: 'store'; readonly engine: 'postgres'; readonly url: URL }
  /** MFA_BACKEND_MODULE: an absolute file path, or a package name resolved from the gateway's own location. */
  | { readonly kind: 'module'; readonly specifier: string; readonly timeoutMs: number }
  /** The embedder handed createGateway a backend object; no setting picks one. */
  | { readonly kind: 'supplied' };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly backend: BackendConfig;
  /** Worker processes serving the one port (node:cluster); 1 serves in the process itself. */
  readonly workers: number;
  /** V8's old-generation growth between full collections, in percent; 0 leaves it to V8. Applied by main.ts. */
  readonly heapGrowthPercent: number;
  readonly logLevel: LogLevel;
  readonly production: boolean;
  readonly serviceAccountRule: ServiceAccountRule;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** How long a graceful shutdown waits for in-flight requests before closing sockets. */
  readonly shutdownGraceMs: number;
  /** Hard bound on the whole shutdown: past it the process exits 1 whatever is still open. */
  readonly shutdownTimeoutMs: number;
  readonly http: HttpLimits;
  readonly security: SecurityConfig;
  /** Persisted-document manifest; when set, only its documents run (by id). */
  readonly trustedDocumentsPath?: string;
  /** Folder of the built settings page served at /settings; no page when absent. */
  readonly settingsPageDir?: string;
  readonly observability: ObservabilityConfig;
}

/** What one client connection may hold: slow or idle clients are cut, and the number of sockets is capped. */
export interface HttpLimits {
  /** From the first byte of a request to the end of its headers; then 408 and the connection closes. */
  readonly headersTimeoutMs: number;
  /** From the first byte of a request to the end of its body; then 408 and the connection closes. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after an answer. */
  readonly keepAliveTimeoutMs: number;
  /** Open client connections at most; see connection-cap.ts for who makes room. */
  readonly maxConnections: number;
}

/** OpenTelemetry tracing is on when any OTEL_* variable is set; the SDK reads their values itself. */
export interface TracingConfig {
  readonly enabled: boolean;
}

export interface ObservabilityConfig {
  /** GET /metrics: on the main port (port undefined), on a port of its own, or off. */
  readonly metrics: { readonly enabled: false } | { readonly enabled: true; readonly port?: number };
  /** Operation names reported as themselves in metrics and spans, besides the shipped documents' names. */
  readonly operationNames: readonly string[];
  readonly tracing: TracingConfig;
}

/** Limits a GraphQL document must stay within (graphql-armor); each one answers 400 when exceeded. */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  readonly maxCost: number;
}

export interface SecurityConfig {
  /** Schema introspection; off in production unless INTROSPECTION=true. */
  readonly introspection: boolean;
  /** Answer the federation query `_service { sdl }`; follows `introspection` unless FEDERATION_SDL is set. */
  readonly serviceSdl: boolean;
  /** Exact origins allowed by CORS; empty means no cross-origin browser access. */
  readonly corsOrigins: readonly string[];
  readonly queryLimits: QueryLimits;
  /** Wrong-password answers allowed per principal per window before `updateMyMfa` is refused locally. */
  readonly bruteForce: {
    readonly maxAttempts: number;
    readonly windowSeconds: number;
    /** Shared counters for several instances; in-memory when absent. */
    readonly redisUrl?: URL;
  };
  /** Read the token from `Authorization: Bearer` too, when `csp-auth-token` is absent; off by default. */
  readonly acceptAuthorizationBearer: boolean;
  /** Local RS256 verification of CSP tokens; off (CSP verifies) when absent. */
  readonly tokenVerification?: TokenVerificationConfig;
}

export interface TokenVerificationConfig {
  /** https, or http on a loopback host only. */
  readonly jwksUrl: URL;
  /** Required `iss`; absent only when CSP_TOKEN_ISSUER=any. */
  readonly issuer?: string;
  /** Accepted `aud` values (any one suffices); absent: `aud` is not checked. */
  readonly audience?: readonly string[];
  /** After a failed key-set fetch, no new fetch (calls answer UPSTREAM_UNAVAILABLE at once) for this long. */
  readonly failureCooldownMs: number;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly errors: string[] };

export interface LoadConfigOptions {
  /** createGateway was handed a backend object: the settings that pick a backend must then stay unset. */
  readonly backendSupplied?: boolean;
}

type WholeNumberSetting = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { range: readonly [number, number] } ? K : never;
}[SettingName];

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

/** A whole-number setting, checked against its range in SETTINGS; a bad value is reported under its variable's name. */
function readWholeNumber(
  name: WholeNumberSetting,
  read: (name: SettingName) => string | undefined,
  errors: string[],
): number {
  const { env, range } = SETTINGS[name];
  return parseInteger(read(name) ?? '', env, range[0], range[1], errors);
}

function parseInteger(raw: string, name: string, min: number, max: number, errors: string[]): number {
  const value = parseWholeNumber(raw);
  if (value === undefined || value < min || value > max) {
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
  // Every call carries the caller's token, and updates their password: never in cleartext over a network.
  // A sidecar or proxy on loopback (the usual mesh set-up) may speak http.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    errors.push(
      `CSP_BASE_URL must use https (http only on loopback: localhost, 127.0.0.0/8, ::1), got http for '${url.hostname}'.`,
    );
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
  options: LoadConfigOptions = {},
): ConfigResult {
  const errors: string[] = [];
  const flags = parseFlags(argv, errors);
  const read = (name: SettingName): string | undefined => {
    const setting: Setting = SETTINGS[name];
    const raw = flags[name] ?? env[setting.env];
    return raw === undefined || raw.trim() === '' ? setting.fallback : raw.trim();
  };

  const port = readWholeNumber('port', read, errors);
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

  const timeoutMs = readWholeNumber('timeoutMs', read, errors);
  const maxBodyBytes = readWholeNumber('maxBodyBytes', read, errors);

  const http = readHttpLimits(read, errors);
  const errorsBeforeShutdown = errors.length;
  const shutdownGraceMs = readWholeNumber('shutdownGraceMs', read, errors);
  const rawShutdownTimeout = read('shutdownTimeoutMs');
  const shutdownTimeoutMs =
    rawShutdownTimeout === undefined
      ? shutdownGraceMs + 5_000
      : readWholeNumber('shutdownTimeoutMs', read, errors);
  // Compared only when both parsed: one bad value, one message.
  if (errors.length === errorsBeforeShutdown && shutdownTimeoutMs <= shutdownGraceMs) {
    errors.push(
      `SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}) must be more than SHUTDOWN_GRACE_MS (${shutdownGraceMs}).`,
    );
  }

  const workers = readWholeNumber('workers', read, errors);
  const heapGrowthPercent = readWholeNumber('heapGrowthPercent', read, errors);
  const backend = readBackend(read, timeoutMs, options, errors);

  const production = read('nodeEnv') === 'production';
  const security = readSecurity(read, production, backend, errors);
  const observability = readObservability(read, env, errors);

  const trustedDocuments = read('trustedDocuments');
  const settingsPage = read('settingsPage');

  if (errors.length > 0 || !backend) return { ok: false, errors };
  return {
    ok: true,
    config: {
      host,
      port,
      backend,
      workers,
      heapGrowthPercent,
      logLevel,
      production,
      serviceAccountRule: rule as ServiceAccountRule,
      maxBodyBytes,
      shutdownGraceMs,
      shutdownTimeoutMs,
      http,
      security,
      ...(trustedDocuments === undefined ? {} : { trustedDocumentsPath: path.resolve(trustedDocuments) }),
      ...(settingsPage === undefined ? {} : { settingsPageDir: path.resolve(settingsPage) }),
      observability,
    },
  };
}

/**
 * Which backend the settings pick: CSP, a module of the operator's, or a store (PostgreSQL with
 * MFA_STORE_URL, else the SQLite file, the default).
 */
function readBackend(
  read: (name: SettingName) => string | undefined,
  timeoutMs: number,
  options: LoadConfigOptions,
  errors: string[],
): BackendConfig | undefined {
  const rawBaseUrl = read('cspBaseUrl');
  const rawModule = read('backendModule');
  const rawStoreUrl = read('storeUrl');
  if (options.backendSupplied) {
    // MFA_STORE_PATH has a default, so only the ones that are unset by default can be told apart.
    if (rawBaseUrl !== undefined || rawModule !== undefined || rawStoreUrl !== undefined) {
      errors.push(
        'CSP_BASE_URL, MFA_BACKEND_MODULE and MFA_STORE_URL cannot be set when a backend object is given.',
      );
      return undefined;
    }
    return { kind: 'supplied' };
  }
  if (rawModule !== undefined && (rawBaseUrl !== undefined || rawStoreUrl !== undefined)) {
    errors.push(
      `Set MFA_BACKEND_MODULE or ${rawBaseUrl !== undefined ? 'CSP_BASE_URL' : 'MFA_STORE_URL'}, not both: each picks the backend.`,
    );
    return undefined;
  }
  if (rawBaseUrl !== undefined) {
    // In CSP mode CSP is the authority and no store is opened: a URL given anyway is a mistake to say.
    if (rawStoreUrl !== undefined) {
      errors.push('MFA_STORE_URL needs CSP_BASE_URL unset (with CSP_BASE_URL no store is used).');
    }
    const baseUrl = parseBaseUrl(rawBaseUrl, errors);
    return baseUrl ? { kind: 'csp', baseUrl, timeoutMs } : undefined;
  }
  if (rawModule !== undefined) {
    return { kind: 'module', specifier: parseModuleSpecifier(rawModule), timeoutMs };
  }
  if (rawStoreUrl !== undefined) {
    const storeUrl = parseStoreUrl(rawStoreUrl);
    if (typeof storeUrl === 'string') {
      errors.push(storeUrl);
      return undefined;
    }
    return { kind: 'store', engine: 'postgres', url: storeUrl };
  }
  return { kind: 'store', engine: 'sqlite', path: path.resolve(read('storePath') ?? '') };
}

/** A path (./x.js, ../x.js, /abs/x.js) is made absolute against the working directory; anything else is a package name. */
function parseModuleSpecifier(raw: string): string {
  const isPath = raw.startsWith('./') || raw.startsWith('../') || path.isAbsolute(raw);
  return isPath ? path.resolve(raw) : raw;
}

function readHttpLimits(read: (name: SettingName) => string | undefined, errors: string[]): HttpLimits {
  const int = (name: WholeNumberSetting) => readWholeNumber(name, read, errors);
  const errorsBefore = errors.length;
  const headersTimeoutMs = int('headersTimeoutMs');
  const requestTimeoutMs = int('requestTimeoutMs');
  // node:http refuses a headers timeout longer than the request timeout.
  if (errors.length === errorsBefore && headersTimeoutMs > requestTimeoutMs) {
    errors.push(
      `REQUEST_TIMEOUT_MS (${requestTimeoutMs}) must be at least HEADERS_TIMEOUT_MS (${headersTimeoutMs}).`,
    );
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: int('keepAliveTimeoutMs'),
    maxConnections: int('maxConnections'),
  };
}

function parseBoolean(raw: string, name: string, errors: string[]): boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  errors.push(`${name} must be 'true' or 'false', got '${raw}'.`);
  return false;
}

function parseUrl(
  raw: string,
  name: string,
  protocols: readonly string[],
  errors: string[],
): URL | undefined {
  try {
    const url = new URL(raw);
    if (protocols.includes(url.protocol)) return url;
  } catch {
    // reported below
  }
  errors.push(`${name} must be an absolute ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL.`);
  return undefined;
}

/** An origin is scheme://host[:port], exactly as browsers send it in the Origin header. */
function parseOrigins(raw: string | undefined, errors: string[]): string[] {
  if (raw === undefined) return [];
  const origins: string[] = [];
  for (const item of raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)) {
    let origin: string | undefined;
    try {
      const url = new URL(item);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === item) origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin) origins.push(origin);
    else errors.push(`CORS_ORIGINS entries must be origins such as https://app.example.com, got '${item}'.`);
  }
  return origins;
}

function readSecurity(
  read: (name: SettingName) => string | undefined,
  production: boolean,
  backend: BackendConfig | undefined,
  errors: string[],
): SecurityConfig {
  const int = (name: WholeNumberSetting) => readWholeNumber(name, read, errors);
  const rawIntrospection = read('introspection');
  const rawRedis = read('rateLimitRedisUrl');
  const redisUrl =
    rawRedis === undefined
      ? undefined
      : parseUrl(rawRedis, 'RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:'], errors);
  const tokenVerification = readTokenVerification(read, backend, errors);
  const introspection =
    rawIntrospection === undefined ? !production : parseBoolean(rawIntrospection, 'INTROSPECTION', errors);
  const rawFederationSdl = read('federationSdl');
  return {
    introspection,
    serviceSdl:
      rawFederationSdl === undefined
        ? introspection
        : parseBoolean(rawFederationSdl, 'FEDERATION_SDL', errors),
    corsOrigins: parseOrigins(read('corsOrigins'), errors),
    acceptAuthorizationBearer: parseBoolean(
      read('acceptAuthorizationBearer') ?? '',
      'ACCEPT_AUTHORIZATION_BEARER',
      errors,
    ),
    queryLimits: {
      maxDepth: int('maxDepth'),
      maxAliases: int('maxAliases'),
      maxDirectives: int('maxDirectives'),
      maxTokens: int('maxTokens'),
      maxCost: int('maxCost'),
    },
    bruteForce: {
      maxAttempts: int('bruteForceAttempts'),
      windowSeconds: int('bruteForceWindowSeconds'),
      ...(redisUrl ? { redisUrl } : {}),
    },
    ...(tokenVerification ? { tokenVerification } : {}),
  };
}

/** Loopback only: a WHATWG URL has already normalised IPv4 forms such as 127.1 or 2130706433. */
function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * The key set decides which signatures are trusted, so it must come over TLS: a JWKS fetched over plain
 * http from another host lets anyone on the path mint tokens. Loopback is exempt for local test key sets.
 */
function parseJwksUrl(raw: string, errors: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    errors.push('CSP_JWKS_URL must be an absolute https URL.');
    return undefined;
  }
  if (url.username || url.password) {
    errors.push('CSP_JWKS_URL must not carry credentials.');
    return undefined;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return url;
  errors.push(
    url.protocol === 'http:'
      ? `CSP_JWKS_URL must use https: http is accepted only for localhost, 127.0.0.0/8 and ::1, got host '${url.hostname}'.`
      : `CSP_JWKS_URL must be an https URL, got '${url.protocol}'.`,
  );
  return undefined;
}

function readTokenVerification(
  read: (name: SettingName) => string | undefined,
  backend: BackendConfig | undefined,
  errors: string[],
): TokenVerificationConfig | undefined {
  const rawJwks = read('jwksUrl');
  const failureCooldownMs = readWholeNumber('jwksFailureCooldownMs', read, errors);
  if (rawJwks === undefined) {
    // A claim check that silently does nothing is worse than none: say so instead.
    for (const [name, env] of [
      ['tokenIssuer', 'CSP_TOKEN_ISSUER'],
      ['tokenAudience', 'CSP_TOKEN_AUDIENCE'],
    ] as const) {
      if (read(name) !== undefined)
        errors.push(`${env} needs CSP_JWKS_URL (claims are checked only locally).`);
    }
    return undefined;
  }
  const jwksUrl = parseJwksUrl(rawJwks, errors);
  // The store issues and verifies its own tokens; a CSP key set would reject every one of them.
  if (backend?.kind === 'store') {
    errors.push('CSP_JWKS_URL needs CSP_BASE_URL (the store verifies its own tokens).');
    return undefined;
  }
  if (!jwksUrl) return undefined;

  // Without an issuer check, any token signed by a key in the set passes. For CSP's production key set
  // the issuer is known; elsewhere (staging, a proxy, a test key set) only the operator knows it, so the
  // start stops until they say, rather than running with a check that silently does nothing.
  const rawIssuer = read('tokenIssuer');
  let issuer: string | undefined;
  if (rawIssuer === 'any') issuer = undefined;
  else if (rawIssuer !== undefined) issuer = rawIssuer;
  else if (jwksUrl.hostname === CSP_PRODUCTION_HOST) issuer = CSP_PRODUCTION_ISSUER;
  else {
    errors.push(
      `CSP_TOKEN_ISSUER is required with a CSP_JWKS_URL on '${jwksUrl.hostname}': set the \`iss\` your tokens carry, or 'any' to skip the issuer check.`,
    );
  }

  const audience = (read('tokenAudience') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    jwksUrl,
    failureCooldownMs,
    ...(issuer ? { issuer } : {}),
    ...(audience.length > 0 ? { audience } : {}),
  };
}

/** A GraphQL name (the spec's Name), as an operation name must be. */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const MAX_OPERATION_NAMES = 200;

function readObservability(
  read: (name: SettingName) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  errors: string[],
): ObservabilityConfig {
  const rawPort = read('metricsPort') ?? 'main';
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  let metrics: ObservabilityConfig['metrics'] = { enabled: true };
  if (rawPort === 'off') metrics = { enabled: false };
  else if (port >= 0 && port <= 65_535) metrics = { enabled: true, port };
  else if (rawPort !== 'main')
    errors.push(`METRICS_PORT must be 'main', 'off' or a port from 0 to 65535, got '${rawPort}'.`);

  const operationNames = (read('operationNames') ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of operationNames) {
    if (!GRAPHQL_NAME.test(name))
      errors.push(
        `GRAPHQL_OPERATION_NAMES entries must be GraphQL names of at most 100 characters, got '${name}'.`,
      );
  }
  if (operationNames.length > MAX_OPERATION_NAMES)
    errors.push(
      `GRAPHQL_OPERATION_NAMES may list at most ${MAX_OPERATION_NAMES} names (each one is a set of series).`,
    );

  // Only the presence of OTEL_* variables is read here; the SDK reads their values (observability/otel-tracing.ts).
  const value = (name: string) => env[name]?.trim().toLowerCase();
  const anyOtel = Object.entries(env).some(
    ([name, v]) => name.startsWith('OTEL_') && v !== undefined && v.trim() !== '',
  );
  const tracingEnabled =
    anyOtel && value('OTEL_SDK_DISABLED') !== 'true' && value('OTEL_TRACES_EXPORTER') !== 'none';

  return { metrics, operationNames, tracing: { enabled: tracingEnabled } };
}
