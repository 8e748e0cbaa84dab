/** Process entry: config, backend, server, signals. The only module that touches `process` and the console. */
import 'reflect-metadata';
import { HELP_TEXT, loadConfig, wantsHelp } from './config.js';
import { createLogger } from './logging/logger.js';
import { createBackend } from './backend/create-backend.js';
import { GatewayStartError } from './gateway-start-error.js';
import { createServer, GRAPHQL_PATH } from './server.js';
import { createObservability } from './observability/observability.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    console.log(HELP_TEXT);
    return 0;
  }
  const loaded = loadConfig(process.env, argv);
  if (!loaded.ok) {
    for (const message of loaded.errors) console.error(`config: ${message}`);
    console.error('Run with --help to list the settings.');
    return 2;
  }
  const { config } = loaded;
  // Before the logger: with tracing on, every log line of a request carries its trace_id and span_id.
  const observability = await createObservability(config.observability);
  const tracing = observability.tracing;
  const logger = createLogger({ level: config.logLevel, ...(tracing ? { mixin: tracing.logFields } : {}) });
  tracing?.reportTo(logger);

  let created: Awaited<ReturnType<typeof createBackend>>;
  try {
    created = await createBackend(config, logger, observability);
  } catch (error) {
    if (!(error instanceof GatewayStartError)) throw error;
    console.error(error.message);
    return 1;
  }
  const running = await createServer({ config, backend: created.backend, logger, observability }).listen();

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    // Whatever still holds the event loop (a socket, a client that will not close), the stop ends here.
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    running
      .close()
      .then(() => observability.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  // Before 'listening' is announced: whoever acts on that line (an orchestrator, a test) may signal at once.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  logger.info(
    {
      url: `${running.url}${GRAPHQL_PATH}`,
      port: running.port,
      backend: created.backend.kind,
      metrics: running.metricsUrl ?? (observability.metrics ? `${running.url}/metrics` : 'off'),
      tracing: tracing ? 'on' : 'off',
    },
    'listening',
  );
  // Human text for whoever started it, on stderr: stdout carries only JSON log lines, and log shippers
  // must not collect the demo password and token.
  if (created.banner) console.error(created.banner(running.url));
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error('fatal:', error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
