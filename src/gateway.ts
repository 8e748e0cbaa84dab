/**
 * createGateway: the gateway as a library. The same settings as the command (by their variable names),
 * validated by the same rules; a backend object of your own, or the one the settings pick; the same
 * guards around it. The command (main.ts) is this plus the process: signals, exit codes, workers.
 */
import 'reflect-metadata';
import { createBackend, type CreatedBackend } from './backend/create-backend.js';
import { type MfaBackend } from './backend/mfa-backend.js';
import { loadConfig, SETTINGS, type Config, type LogLevel } from './config.js';
import { GatewayStartError } from './gateway-start-error.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createObservability } from './observability/observability.js';
import { createServer, GRAPHQL_PATH, type RunningServer } from './server.js';

/** Every setting's variable name, as `--help` and docs/operations.md list them. */
export type GatewaySettingName = (typeof SETTINGS)[keyof typeof SETTINGS]['env'];

/**
 * Settings by variable name (`{ PORT: 0, CSP_TIMEOUT_MS: 2000 }`), checked exactly as the command checks
 * its environment. Only these are read: createGateway takes no setting from `process.env`, and so leaves
 * tracing (the command's OTEL_* variables) off.
 */
export type GatewaySettings = { readonly [Name in GatewaySettingName]?: string | number | boolean };

export interface GatewayLogOptions {
  /** Defaults to the LOG_LEVEL setting ('info'). */
  readonly level?: LogLevel;
  /** Where the JSON log lines go, one `write` per line. Defaults to standard output. */
  readonly destination?: { write(line: string): unknown };
}

export interface GatewayOptions {
  /**
   * Your backend. The gateway wraps it in its guards (token verification with CSP_JWKS_URL, the
   * brute-force guard, secret scrubbing) and closes it when the gateway closes. Absent: the backend the
   * settings pick (CSP_BASE_URL, MFA_BACKEND_MODULE, else the embedded store at MFA_STORE_PATH).
   */
  readonly backend?: MfaBackend;
  readonly settings?: GatewaySettings;
  readonly log?: GatewayLogOptions;
}

export interface GatewayAddress {
  /** The bound origin, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  /** Where GraphQL is served: `${url}/graphql`. */
  readonly graphqlUrl: string;
  readonly port: number;
  /** GET /metrics (Prometheus), unless METRICS_PORT is 'off': on this port, or on a port of its own. */
  readonly metricsUrl?: string;
  /**
   * Text for a person, once: the embedded store's demo user and password on its first start. It holds a
   * password: show it, never log it. Absent otherwise.
   */
  readonly banner?: string;
}

export interface MfaGateway {
  /** The backend's short name, as logged: `csp`, `store`, or a plugged-in backend's own. */
  readonly backendKind: string;
  /** Starts serving; the address is also kept in `address`. Call once. */
  listen(): Promise<GatewayAddress>;
  /** Where it listens, once `listen()` resolved. */
  readonly address: GatewayAddress | undefined;
  /**
   * Stops accepting, lets in-flight requests finish (SHUTDOWN_GRACE_MS), then closes the backend and
   * flushes the traces still buffered. Before `listen()`, only closes the backend. No hard bound here:
   * the command adds SHUTDOWN_TIMEOUT_MS.
   */
  close(): Promise<void>;
}

/**
 * Assembles a gateway: checks the settings, opens (or loads) the backend, checks it is ready, guards it
 * and builds the server. Throws `GatewayStartError` (see its `code`) when any of that fails.
 */
export async function createGateway(options: GatewayOptions = {}): Promise<MfaGateway> {
  const env = Object.fromEntries(
    Object.entries(options.settings ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );
  const unknown = Object.keys(env).filter((name) => !SETTING_NAMES.has(name));
  const loaded = loadConfig(env, [], { backendSupplied: options.backend !== undefined });
  const problems = [
    ...unknown.map((name) => `${name} is not a setting; the settings are listed by --help.`),
    ...(loaded.ok ? [] : loaded.errors),
  ];
  if (loaded.ok && loaded.config.workers > 1) {
    problems.push(
      'WORKERS is for the command (node dist/src/main.js); createGateway serves in the calling process. With node:cluster of your own, share the brute-force counts through RATE_LIMIT_REDIS_URL.',
    );
  }
  if (!loaded.ok || problems.length > 0) {
    throw new GatewayStartError('SETTINGS_INVALID', `Invalid settings: ${problems.join(' ')}`, { problems });
  }
  const { config } = loaded;
  const opened = await openGateway(config, {
    ...(options.log?.level ? { level: options.log.level } : {}),
    ...(options.log?.destination ? { destination: options.log.destination } : {}),
    ...(options.backend === undefined ? {} : { supplied: options.backend }),
  });
  return opened.gateway;
}

const SETTING_NAMES: ReadonlySet<string> = new Set(Object.values(SETTINGS).map((s) => s.env));

export interface OpenGatewayOptions {
  /** Defaults to config.logLevel. */
  readonly level?: LogLevel;
  readonly destination?: { write(line: string): unknown };
  /** Fields on every line (a worker's pid and id). */
  readonly bindings?: Record<string, unknown>;
  readonly supplied?: MfaBackend;
  readonly clusterWorker?: boolean;
  /** WORKERS > 1, in a worker: fetches the sum of every worker's metrics from the primary, for GET /metrics. */
  readonly clusterMetricsSum?: () => Promise<string>;
}

/** What the command needs besides the gateway: its logger, and whether tracing is on (for 'listening'). */
export interface OpenedGateway {
  readonly gateway: MfaGateway;
  readonly logger: Logger;
  readonly tracing: boolean;
}

/**
 * The assembly both createGateway and the command use, from an already validated configuration:
 * observability first (with tracing on, every log line carries the span's ids), then the logger, the
 * backend stack and the server.
 */
export async function openGateway(config: Config, options: OpenGatewayOptions = {}): Promise<OpenedGateway> {
  const observability = await createObservability(
    config.observability,
    options.clusterMetricsSum ? { clusterSum: options.clusterMetricsSum } : {},
  );
  const { tracing } = observability;
  const base = createLogger({
    level: options.level ?? config.logLevel,
    ...(options.destination ? { destination: options.destination } : {}),
    ...(tracing ? { mixin: tracing.logFields } : {}),
  });
  const logger = options.bindings ? base.child(options.bindings) : base;
  tracing?.reportTo(logger);
  let created: CreatedBackend;
  try {
    created = await createBackend(config, logger, {
      ...observability,
      ...(options.supplied ? { supplied: options.supplied } : {}),
      ...(options.clusterWorker ? { clusterWorker: true } : {}),
    });
  } catch (error) {
    await observability.shutdown();
    throw error;
  }
  const server = createServer({ config, backend: created.backend, logger, observability });
  let listening: Promise<RunningServer> | undefined;
  let address: GatewayAddress | undefined;
  let closing: Promise<void> | undefined;
  const gateway: MfaGateway = {
    backendKind: created.backend.kind,
    get address() {
      return address;
    },
    async listen() {
      if (listening) throw new Error('listen() was already called on this gateway');
      listening = server.listen();
      const running = await listening;
      const banner = created.banner?.(running.url);
      const metricsUrl = running.metricsUrl ?? (observability.metrics ? `${running.url}/metrics` : undefined);
      address = {
        url: running.url,
        graphqlUrl: `${running.url}${GRAPHQL_PATH}`,
        port: running.port,
        ...(metricsUrl === undefined ? {} : { metricsUrl }),
        ...(banner === undefined ? {} : { banner }),
      };
      return address;
    },
    close() {
      closing ??= (async () => {
        await (listening
          ? listening.then(
              (running) => running.close(),
              () => created.backend.close(),
            )
          : created.backend.close());
        await observability.shutdown();
      })();
      return closing;
    },
  };
  return { gateway, logger, tracing: tracing !== undefined };
}
