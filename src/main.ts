/**
 * Process entry: config, then one gateway in this process, or with WORKERS > 1 a cluster primary that
 * runs the gateway in that many worker processes on one port. The only module that touches `process`
 * and the console.
 */
import cluster from 'node:cluster';
import v8 from 'node:v8';
import { type Config, HELP_TEXT, loadConfig, wantsHelp } from './config.js';
import { createLogger, type Logger } from './logging/logger.js';

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
  limitHeapGrowth(config.heapGrowthPercent);
  if (config.workers > 1 && cluster.isPrimary) {
    return runPrimary(config, createLogger({ level: config.logLevel }).child({ pid: process.pid }));
  }
  return serve(config, cluster.worker?.id);
}

/**
 * HEAP_GROWTH_PERCENT: how far V8 lets the old generation grow past what was live after the last full
 * collection. V8 reads the flag whenever it sets the next limit, so setting it here, before the gateway
 * allocates, takes effect; a --heap-growing-percent on node's own command line is the operator's and wins.
 */
function limitHeapGrowth(percent: number): void {
  if (percent === 0 || process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** One gateway in this process: the whole service, or one of WORKERS (`workerId`). */
async function serve(config: Config, workerId: number | undefined): Promise<number> {
  // Loaded here, not at the top: a cluster primary serves nothing and need not load Apollo and the schema.
  const { openGateway } = await import('./gateway.js');
  const { GatewayStartError } = await import('./gateway-start-error.js');
  const clusterWorker = workerId !== undefined;
  // GET /metrics in a worker answers the sum over every worker, which the primary collects.
  const clusterMetricsSum =
    clusterWorker && config.observability.metrics.enabled
      ? (await import('./worker-pool.js')).askPrimaryForMetrics
      : undefined;
  let opened: Awaited<ReturnType<typeof openGateway>>;
  try {
    opened = await openGateway(config, {
      clusterWorker,
      ...(clusterMetricsSum ? { clusterMetricsSum } : {}),
      ...(clusterWorker ? { bindings: { pid: process.pid, worker: workerId } } : {}),
    });
  } catch (error) {
    if (!(error instanceof GatewayStartError)) throw error;
    // One line, no stack: the operator's to act on, with the code to search for.
    console.error(`${error.message} [${error.code}]`);
    return 1;
  }
  const { gateway, logger } = opened;
  const address = await gateway.listen();

  onStopSignal(config, logger, () => gateway.close());
  logger.info(
    {
      url: address.graphqlUrl,
      port: address.port,
      backend: gateway.backendKind,
      metrics: address.metricsUrl ?? 'off',
      tracing: opened.tracing ? 'on' : 'off',
    },
    clusterWorker ? 'worker listening' : 'listening',
  );
  // Human text for whoever started it, on stderr: stdout carries only JSON log lines, and log shippers
  // must not collect the demo password and token.
  if (address.banner) console.error(address.banner);
  return -1;
}

/** WORKERS > 1: forks the workers and keeps them running; the brute-force counts are kept here or in Redis. */
async function runPrimary(config: Config, logger: Logger): Promise<number> {
  const { serveAttemptCountsToWorkers } = await import('./backend/guards/attempt-limiter.js');
  const { startWorkerPool } = await import('./worker-pool.js');
  const shared = config.security.bruteForce.redisUrl ? 'redis' : 'cluster';
  // Without Redis the counts live here, for every worker; with it, here only while Redis is unreachable.
  serveAttemptCountsToWorkers();
  // With metrics on, the primary sums the workers' series for whichever worker a scrape reaches.
  const metrics = config.observability.metrics.enabled
    ? (await import('./observability/metrics.js')).createClusterMetrics()
    : undefined;
  const pool = startWorkerPool({ size: config.workers, logger, ...(metrics ? { metrics } : {}) });
  onStopSignal(config, logger, () =>
    pool.stop('SIGTERM').then((clean) => {
      if (!clean) throw new Error('a worker did not stop cleanly');
    }),
  );
  let port: number;
  try {
    ({ port } = await pool.ready);
  } catch (error) {
    // The worker printed why on stderr; this line says what the primary did about it.
    logger.error({ err: error }, 'a worker could not start; stopping the others');
    await pool.stop('SIGTERM');
    return 1;
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { url: `http://${host}:${port}/graphql`, port, workers: config.workers, bruteForceCounts: shared },
    'listening',
  );
  return -1;
}

/**
 * SIGTERM/SIGINT run `stop` once; the process exits 0 when it resolves, 1 when it fails or when it takes
 * longer than SHUTDOWN_TIMEOUT_MS, whatever still holds the event loop (a socket, a worker, a client).
 */
function onStopSignal(config: Config, logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown did not finish in time; exiting');
      // Workers still running past the bound are ended with the primary, not left behind.
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    stop().then(
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
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

main().then(
  (code) => {
    if (code < 0) return;
    // A worker's IPC channel would keep it alive after a failed start.
    if (cluster.isWorker) process.exit(code);
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('fatal:', error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
