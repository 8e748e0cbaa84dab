/**
 * Every setting of the gateway in one table: variable, flag, default, range and help. loadConfig
 * (config.ts) checks values against it; --help and the docs' settings tables are printed from it.
 */
import { DEFAULT_STORE_PATH } from './backend/store/store-options.js';

/** The issuer CSP's production tokens carry (CSP's public API reference), implied by its production JWKS host. */
export const CSP_PRODUCTION_ISSUER = 'https://gaz.csp-vidm-prod.com';
export const CSP_PRODUCTION_HOST = 'console.cloud.vmware.com';

export interface Setting {
  readonly env: string;
  readonly flag: string;
  readonly help: string;
  readonly fallback?: string;
  /** Whole-number settings: the accepted range, inclusive; checked by loadConfig and shown by --help. */
  readonly range?: readonly [min: number, max: number];
}

/** A setting's help text with its range, as --help and the docs show it. */
export function describeSetting(setting: Setting): string {
  return setting.range ? `${setting.help} Range: ${setting.range[0]}..${setting.range[1]}.` : setting.help;
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
    fallback: DEFAULT_STORE_PATH,
  },
  storeUrl: {
    env: 'MFA_STORE_URL',
    flag: '--store-url',
    help: 'PostgreSQL store shared by several instances, postgres://user@host:5432/db; used instead of MFA_STORE_PATH.',
  },
  backendModule: {
    env: 'MFA_BACKEND_MODULE',
    flag: '--backend-module',
    help: 'A backend of your own: a module path (starting with ./, ../ or /) or a package name, whose createMfaBackend(context) returns an MfaBackend (docs/plugging-in-a-store.md). Not with CSP_BASE_URL or MFA_STORE_URL. A module that is missing, lacks the factory, returns no backend or is not ready stops the start with one line.',
  },
  port: {
    env: 'PORT',
    flag: '--port',
    help: 'TCP port to listen on (0 picks a free one).',
    fallback: '4000',
    range: [0, 65_535],
  },
  host: {
    env: 'HOST',
    flag: '--host',
    help: 'Interface to bind; use 0.0.0.0 in a container.',
    fallback: '127.0.0.1',
  },
  workers: {
    env: 'WORKERS',
    flag: '--workers',
    help: "Worker processes serving the one port (node:cluster), e.g. the machine's core count; a worker that dies is restarted. Above 1, the brute-force counts are kept by the primary process for all workers, or in Redis with RATE_LIMIT_REDIS_URL, and GET /metrics answers the sum over all workers.",
    fallback: '1',
    range: [1, 256],
  },
  heapGrowthPercent: {
    env: 'HEAP_GROWTH_PERCENT',
    flag: '--heap-growth-percent',
    help: "How far V8's old generation may grow past what was live after the last full collection before the next one starts, in percent; 0 leaves it to V8, which on a machine with much memory lets it reach 4×. Under load, requests in flight outlive young-generation collections and die soon after: at 256 connections with a 20 ms upstream, 100 (2×) kept peak RSS at 162–171 MB instead of 224–227 MB, for 0–10 % more CPU per answer there and none measurable at 32 connections (docs/performance.md). A --heap-growing-percent given to node itself wins.",
    fallback: '100',
    range: [0, 1_000],
  },
  timeoutMs: {
    env: 'CSP_TIMEOUT_MS',
    flag: '--timeout-ms',
    help: 'Upper bound for one upstream call to CSP, in milliseconds (an MFA_BACKEND_MODULE backend is given it as callTimeoutMs).',
    fallback: '5000',
    range: [100, 120_000],
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
    range: [1_024, 10_485_760],
  },
  headersTimeoutMs: {
    env: 'HEADERS_TIMEOUT_MS',
    flag: '--headers-timeout-ms',
    help: 'Time a client has to send the headers of a request, in milliseconds; then 408 and the connection closes.',
    fallback: '10000',
    range: [100, 600_000],
  },
  requestTimeoutMs: {
    env: 'REQUEST_TIMEOUT_MS',
    flag: '--request-timeout-ms',
    help: 'Time a client has to send a whole request, body included, in milliseconds (at least HEADERS_TIMEOUT_MS); then 408 and the connection closes.',
    fallback: '30000',
    range: [100, 600_000],
  },
  keepAliveTimeoutMs: {
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    flag: '--keep-alive-timeout-ms',
    help: "How long an idle keep-alive connection stays open, in milliseconds. Behind a load balancer, set it above the balancer's idle timeout.",
    fallback: '5000',
    range: [100, 600_000],
  },
  maxConnections: {
    env: 'MAX_CONNECTIONS',
    flag: '--max-connections',
    help: 'Open client connections at most. At the cap a new connection replaces the oldest one that is not being answered; it is closed only when every connection is being answered.',
    fallback: '500',
    range: [1, 1_000_000],
  },
  shutdownGraceMs: {
    env: 'SHUTDOWN_GRACE_MS',
    flag: '--shutdown-grace-ms',
    help: 'On SIGTERM/SIGINT, how long in-flight requests may take to finish, in milliseconds; then their connections are closed.',
    fallback: '10000',
    range: [0, 600_000],
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    flag: '--shutdown-timeout-ms',
    help: 'Hard bound on the whole shutdown, in milliseconds (more than SHUTDOWN_GRACE_MS); past it the process exits 1. Default: SHUTDOWN_GRACE_MS + 5000.',
    range: [100, 660_000],
  },
  nodeEnv: {
    env: 'NODE_ENV',
    flag: '--node-env',
    help: "'production' turns the Sandbox landing page and introspection off.",
    fallback: 'development',
  },
  introspection: {
    env: 'INTROSPECTION',
    flag: '--introspection',
    help: "'true' or 'false'. Schema introspection; defaults to on, and to off when NODE_ENV=production.",
  },
  federationSdl: {
    env: 'FEDERATION_SDL',
    flag: '--federation-sdl',
    help: "'true' or 'false'. Answer the federation query _service { sdl } (the whole schema) to anyone; defaults to INTROSPECTION's value, so off in production. Turn on for a router or gateway that composes by querying subgraphs (IntrospectAndCompose, rover subgraph introspect).",
  },
  acceptAuthorizationBearer: {
    env: 'ACCEPT_AUTHORIZATION_BEARER',
    flag: '--accept-authorization-bearer',
    help: "'true' or 'false'. Also take the token from 'Authorization: Bearer' when csp-auth-token is absent. Off: a router that propagates its own identity provider's bearer token would have it forwarded to CSP.",
    fallback: 'false',
  },
  corsOrigins: {
    env: 'CORS_ORIGINS',
    flag: '--cors-origins',
    help: 'Comma-separated origins browsers may call from, e.g. https://app.example.com. Unset: no cross-origin access.',
  },
  maxDepth: {
    env: 'QUERY_MAX_DEPTH',
    flag: '--query-max-depth',
    help: 'Deepest field nesting of an operation (introspection of __schema excepted).',
    fallback: '6',
    range: [2, 100],
  },
  maxAliases: {
    env: 'QUERY_MAX_ALIASES',
    flag: '--query-max-aliases',
    help: 'Most aliases in an operation (aliases are the only way to repeat updateMyMfa in one request).',
    fallback: '5',
    range: [0, 1_000],
  },
  maxDirectives: {
    env: 'QUERY_MAX_DIRECTIVES',
    flag: '--query-max-directives',
    help: 'Most directives in an operation.',
    fallback: '10',
    range: [0, 1_000],
  },
  maxTokens: {
    env: 'QUERY_MAX_TOKENS',
    flag: '--query-max-tokens',
    help: "Most lexical tokens in a document (the Sandbox's introspection query needs about 300).",
    fallback: '1000',
    range: [50, 100_000],
  },
  maxCost: {
    env: 'QUERY_MAX_COST',
    flag: '--query-max-cost',
    help: 'Highest graphql-armor cost of an operation (the largest legitimate one costs under 100).',
    fallback: '1000',
    range: [10, 1_000_000],
  },
  bruteForceAttempts: {
    env: 'BRUTE_FORCE_MAX_ATTEMPTS',
    flag: '--brute-force-max-attempts',
    help: 'Wrong passwords allowed per user per window; then updateMyMfa answers MfaRateLimitedError without calling CSP.',
    fallback: '5',
    range: [1, 1_000],
  },
  bruteForceWindowSeconds: {
    env: 'BRUTE_FORCE_WINDOW_SECONDS',
    flag: '--brute-force-window-seconds',
    help: 'Length of the brute-force window, in seconds.',
    fallback: '900',
    range: [1, 86_400],
  },
  rateLimitRedisUrl: {
    env: 'RATE_LIMIT_REDIS_URL',
    flag: '--rate-limit-redis-url',
    help: 'redis:// URL to share the brute-force counters between instances. Unset: in-memory, per instance. If Redis is unreachable, each instance counts in memory (logged).',
  },
  jwksUrl: {
    env: 'CSP_JWKS_URL',
    flag: '--csp-jwks-url',
    help: 'Verify CSP tokens locally (RS256 signature, expiry, issuer) against this JWKS, e.g. https://console.cloud.vmware.com/csp/gateway/am/api/auth/token-public-key?format=jwks. https only (http only for localhost, 127.0.0.0/8, ::1). Unset: CSP verifies.',
  },
  tokenIssuer: {
    env: 'CSP_TOKEN_ISSUER',
    flag: '--csp-token-issuer',
    help: `With CSP_JWKS_URL: the required \`iss\` claim, or 'any' to skip the check. Unset: ${CSP_PRODUCTION_ISSUER} when the JWKS is on ${CSP_PRODUCTION_HOST}; on any other host the start is refused until it is set.`,
  },
  tokenAudience: {
    env: 'CSP_TOKEN_AUDIENCE',
    flag: '--csp-token-audience',
    help: 'With CSP_JWKS_URL: comma-separated accepted `aud` values; a token must carry one of them. Unset: `aud` is not checked (CSP does not document the `aud` of user tokens).',
  },
  jwksFailureCooldownMs: {
    env: 'CSP_JWKS_FAILURE_COOLDOWN_MS',
    flag: '--csp-jwks-failure-cooldown-ms',
    help: 'With CSP_JWKS_URL: after a failed key-set fetch, calls needing the key set answer MfaUpstreamUnavailableError at once, without a new fetch, for this long.',
    fallback: '10000',
    range: [100, 600_000],
  },
  trustedDocuments: {
    env: 'TRUSTED_DOCUMENTS',
    flag: '--trusted-documents',
    help: "Persisted-document manifest (JSON: sha256 → document, as the client preset writes it; the kit's: src/client/generated/persisted-documents.json). Set: /graphql runs only these, sent by id, and refuses other operations with 400. Unset: any valid operation.",
  },
  settingsPage: {
    env: 'SETTINGS_PAGE',
    flag: '--settings-page',
    help: 'Folder of the built MFA settings page to serve at /settings (npm run settings:build writes dist/settings). Unset: no page.',
  },
  metricsPort: {
    env: 'METRICS_PORT',
    flag: '--metrics-port',
    help: "Where GET /metrics (Prometheus) is served: 'main' (the main port), a port of its own (0 picks a free one), or 'off'.",
    fallback: 'main',
  },
  operationNames: {
    env: 'GRAPHQL_OPERATION_NAMES',
    flag: '--graphql-operation-names',
    help: "Comma-separated operation names your clients send, reported as themselves in metrics and spans (besides UpdateMyMfa, UpdateMyMfaDetails, MyMfa, MyMfaAuditLog). Any other name is reported as 'other': names are client text.",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export const HELP_TEXT = [
  'csp-mfa-graphql — GraphQL gateway for the VMware CSP principal MFA API',
  '',
  'Usage: npm start -- [flags]     (or: node dist/src/main.js [flags])',
  '',
  'Settings (flag, or environment variable; flags win):',
  ...Object.values(SETTINGS).flatMap((s: Setting) => [
    `  ${s.flag.padEnd(26)} ${s.env}${s.fallback === undefined ? '' : ` (default: ${s.fallback})`}`,
    `  ${''.padEnd(26)} ${describeSetting(s)}`,
  ]),
  `  ${'--help'.padEnd(26)} Print this text and exit.`,
  '',
  'Tracing: the standard OpenTelemetry variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,',
  'OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, ...). With none set, tracing is off and the SDK is not loaded.',
  '',
  'Endpoints: POST/GET /graphql, GET /health (liveness), GET /ready (readiness), GET /metrics (Prometheus),',
  'GET /settings (with SETTINGS_PAGE).',
].join('\n');

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
