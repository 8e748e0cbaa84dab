/**
 * WORKERS > 1: the cluster primary's side. It forks the workers (the first one alone, so a backend that
 * cannot start fails once and an empty store is seeded once), replaces a worker that dies unless asked
 * to stop, with a growing delay while they keep dying, and stops them all on request. It serves nothing;
 * node:cluster hands the one port's connections to the workers in turn. Signals and exit codes stay in
 * main.ts.
 */
import cluster, { type Worker } from 'node:cluster';
import { type Logger } from './logging/logger.js';

export interface WorkerPoolOptions {
  readonly size: number;
  readonly logger: Logger;
  /** First restart delay; doubled for each further death in a row, up to `maxRestartDelayMs`. Defaults to 250. */
  readonly restartDelayMs?: number;
  /** Defaults to 30_000. */
  readonly maxRestartDelayMs?: number;
  /** A worker that listened this long before dying starts the delays over. Defaults to 60_000. */
  readonly stableAfterMs?: number;
  /**
   * The sum of every worker's metrics (observability/metrics.ts `createClusterMetrics`): a worker asked
   * for GET /metrics gets it from here (`askPrimaryForMetrics`). Defaults to none (metrics off).
   */
  readonly metrics?: { collect(): Promise<string> };
}

export interface WorkerPool {
  /** Resolves once every worker listens, with the port; rejects when a worker exits before listening. */
  readonly ready: Promise<{ readonly port: number }>;
  /** Forwards the signal to every worker and resolves once all have exited: true when each exited 0. */
  stop(signal: NodeJS.Signals): Promise<boolean>;
}

export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
  constructor(
    readonly workerId: number,
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(`worker ${workerId} exited (${signal ?? `code ${exitCode}`}) before it listened`);
  }
}

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { size, logger } = options;
  const firstDelay = options.restartDelayMs ?? 250; // Defaults to 250
  const maxDelay = options.maxRestartDelayMs ?? 30_000; // Defaults to 30_000
  const stableAfter = options.stableAfterMs ?? 60_000; // Defaults to 60_000

  const live = new Set<Worker>();
  const listeningSince = new Map<Worker, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let started = false;
  let stopping = false;
  let allClean = true;
  let deathsInARow = 0;
  let allExited: (() => void) | undefined;
  let startFailed: ((error: Error) => void) | undefined;
  let port: number | undefined;

  const metrics = options.metrics;
  if (metrics) {
    cluster.on('message', (worker: Worker, message: unknown) => {
      if (!isMetricsAsk(message)) return;
      const answer = (reply: Omit<MetricsAnswer, 'type' | 'id'>) => {
        if (worker.isConnected()) worker.send({ type: METRICS_ANSWER, id: message.id, ...reply });
      };
      metrics.collect().then(
        (text) => answer({ text }),
        (error: unknown) => {
          logger.warn({ err: error }, "the workers' metrics could not be collected");
          answer({ failed: true });
        },
      );
    });
  }

  const ready = new Promise<{ port: number }>((resolve, reject) => {
    startFailed = reject;
    const first = fork();
    first.once('listening', () => {
      for (let i = 1; i < size; i++) fork();
    });
    const whenAllListen = () => {
      if (started || stopping || port === undefined || listeningSince.size < size) return;
      started = true;
      resolve({ port });
    };
    cluster.on('listening', whenAllListen);
  });
  // A start failure is the caller's to report; without one this is not an unhandled rejection.
  ready.catch(() => undefined);

  function fork(): Worker {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('listening', (address) => {
      port ??= address.port;
      listeningSince.set(worker, performance.now());
    });
    worker.once('exit', (code, signal) => onExit(worker, code, signal));
    return worker;
  }

  function onExit(worker: Worker, code: number | null, signal: string | null): void {
    live.delete(worker);
    const since = listeningSince.get(worker);
    listeningSince.delete(worker);
    if (stopping) {
      if (code !== 0) allClean = false;
      if (live.size === 0) allExited?.();
      return;
    }
    if (!started) {
      startFailed?.(new WorkerStartError(worker.id, code, signal));
      return;
    }
    if (since !== undefined && performance.now() - since >= stableAfter) deathsInARow = 0;
    const delayMs = Math.min(maxDelay, firstDelay * 2 ** deathsInARow);
    deathsInARow++;
    logger.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs },
      'worker exited unexpectedly; starting another',
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    restarts.add(timer);
  }

  return {
    ready,
    stop(signal) {
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      if (live.size === 0) return Promise.resolve(allClean);
      const done = new Promise<boolean>((resolve) => {
        allExited = () => resolve(allClean);
      });
      for (const worker of live) worker.process.kill(signal);
      return done;
    },
  };
}

const METRICS_ASK = 'csp-mfa-graphql:metrics-ask';
const METRICS_ANSWER = 'csp-mfa-graphql:metrics-answer';

interface MetricsAsk {
  readonly type: typeof METRICS_ASK;
  readonly id: number;
}

interface MetricsAnswer {
  readonly type: typeof METRICS_ANSWER;
  readonly id: number;
  readonly text?: string;
  readonly failed?: boolean;
}

const isMetricsAsk = (message: unknown): message is MetricsAsk =>
  typeof message === 'object' &&
  message !== null &&
  (message as MetricsAsk).type === METRICS_ASK &&
  typeof (message as MetricsAsk).id === 'number';

const isMetricsAnswer = (message: unknown): message is MetricsAnswer =>
  typeof message === 'object' && message !== null && (message as MetricsAnswer).type === METRICS_ANSWER;

let metricsAsks = 0;

/**
 * In a worker: the sum of every worker's metrics, asked of the primary over the cluster's IPC channel.
 * Rejects when this is no cluster worker, when the primary could not collect them, or after `timeoutMs`
 * (longer than the 5 s the primary gives the workers).
 */
export function askPrimaryForMetrics(timeoutMs = 7_000): Promise<string> {
  const worker = cluster.worker;
  if (!worker) return Promise.reject(new Error('not a cluster worker'));
  const id = ++metricsAsks;
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
    };
    const onMessage = (message: unknown) => {
      if (!isMetricsAnswer(message) || message.id !== id) return;
      settle();
      if (typeof message.text === 'string') resolve(message.text);
      else reject(new Error("the primary could not collect the workers' metrics"));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error('the primary did not answer in time'));
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.send({ type: METRICS_ASK, id } satisfies MetricsAsk);
  });
}
