/**
 * The brute-force guard's two counters: in memory; in the cluster primary's memory when WORKERS share
 * one machine (over node:cluster's IPC); or in Redis when several instances must share them.
 * The only module that imports rate-limiter-flexible and ioredis.
 * - failures: answered wrong passwords per principal in a fixed window. Only ever *added to* after the
 *   backend answered; reading it costs nothing, so asking about someone else's count cannot hurt them.
 * - in flight: updates under way per key, a separate counter, so a burst of parallel guesses cannot
 *   slip past the failure count, and so that holding slots never turns into a lockout.
 */
import { createRequire } from 'node:module';
import { type Redis as RedisClient } from 'ioredis';
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
} from 'rate-limiter-flexible';
import { type Logger } from '../../logging/logger.js';

export interface FailureCount {
  readonly count: number;
  /** Seconds until the window of the counted failures ends; 0 when there are none. */
  readonly retryAfterSeconds: number;
}

export interface AttemptLimiter {
  /**
   * 'memory'; 'cluster' (the primary's memory, for every worker); or 'redis' (which falls back to the
   * process's memory, or with workers the primary's, while Redis is unreachable).
   */
  readonly kind: 'memory' | 'cluster' | 'redis';
  /** The key's answered wrong passwords in the current window. */
  failures(key: string): Promise<FailureCount>;
  /** Counts one answered wrong password; the first one of a window starts it. Resolves to the count now. */
  addFailure(key: string): Promise<number>;
  /** Forgets the key's failures: the password was right. */
  clearFailures(key: string): Promise<void>;
  /** Marks one more update of the key in flight; resolves to how many are now, this one included. */
  enter(key: string): Promise<number>;
  /** One update of the key ended, whatever its answer. */
  leave(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface AttemptLimiterOptions {
  /** Failed attempts allowed per window. */
  readonly maxAttempts: number;
  readonly windowSeconds: number;
  /** Shared counters; in memory when absent. */
  readonly redisUrl?: URL;
  /**
   * This process is a cluster worker: its counts live in the primary (which must have called
   * `serveAttemptCountsToWorkers`), so every worker sees every other's. Defaults to false.
   */
  readonly cluster?: boolean;
  readonly logger: Logger;
  /** How long a Redis command may take before the in-memory fallback answers. Defaults to 500. */
  readonly redisCommandTimeoutMs?: number;
  /** Namespaces the Redis keys. Defaults to 'csp-mfa'. */
  readonly keyPrefix?: string;
}

/**
 * How long a shared in-flight mark outlives an instance that died holding it. Longer than any upstream
 * call may take (CSP_TIMEOUT_MS is at most 120 s), short enough that a crash blocks nobody for long.
 */
const IN_FLIGHT_TTL_SECONDS = 180;
/** rate-limiter-flexible needs a budget; the in-flight counter is never refused by it, only read. */
const UNBOUNDED = 1_000_000_000;
/**
 * How long a worker waits for the primary's answer. The primary does nothing but this and restarts, so
 * a slow answer means it is gone; the update then fails (masked), rather than going uncounted.
 */
const CLUSTER_TIMEOUT_MS = 2_000;

/**
 * In the cluster primary, before the workers start: keeps the brute-force counts of every worker that
 * asks (`cluster: true`). Its memory is the machine's one count; a restarted worker finds it unchanged.
 */
export function serveAttemptCountsToWorkers(): void {
  new RateLimiterClusterMaster();
}

/** The part of rate-limiter-flexible's limiters used here. */
interface Counter {
  get(key: string): Promise<{ consumedPoints: number; msBeforeNext: number } | null>;
  penalty(key: string, points: number): Promise<{ consumedPoints: number }>;
  reward(key: string, points: number): Promise<{ consumedPoints: number }>;
  delete(key: string): Promise<boolean>;
}

export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const keyPrefix = options.keyPrefix ?? 'csp-mfa';
  const failureLimits = {
    points: options.maxAttempts,
    duration: options.windowSeconds,
    keyPrefix: `${keyPrefix}:pw-fail`,
  };
  const flightLimits = {
    points: UNBOUNDED,
    duration: IN_FLIGHT_TTL_SECONDS,
    keyPrefix: `${keyPrefix}:in-flight`,
  };
  const inCluster = options.cluster ?? false;
  // With workers, "this process's memory" is the primary's: one count for the whole machine.
  const localFailures = inCluster
    ? new RateLimiterCluster({ ...failureLimits, timeoutMs: CLUSTER_TIMEOUT_MS })
    : new RateLimiterMemory(failureLimits);
  const localFlights = (): Counter =>
    inCluster
      ? new RateLimiterCluster({ ...flightLimits, timeoutMs: CLUSTER_TIMEOUT_MS })
      : createMemoryFlights();
  if (!options.redisUrl) {
    return counters(inCluster ? 'cluster' : 'memory', localFailures, localFlights(), async () => undefined);
  }

  const logger = options.logger;
  // Loaded only when Redis is configured: ioredis alone adds about 20 MB of RSS to every process.
  const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient };
  const redis = new Redis(options.redisUrl.href, {
    // A command waits at most this long (through the first connect or a short blip); then the
    // in-memory insurance limiter answers instead.
    commandTimeout: options.redisCommandTimeoutMs ?? 500,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  // Redis down: each instance keeps counting in memory (still at most maxAttempts per instance per
  // window) rather than letting every attempt through (fail open) or refusing every update (fail closed).
  let degraded = false;
  redis.on('ready', () => {
    if (degraded) logger.info('brute-force guard: Redis reachable again; counting in Redis');
    degraded = false;
  });
  redis.on('error', (error: Error & { code?: string }) => {
    if (degraded) return;
    degraded = true;
    // Only the code: the message can carry the URL, and the URL can carry a Redis password.
    logger.warn(
      { code: error.code ?? error.name },
      'brute-force guard: Redis unreachable; counting in memory per instance until it is back',
    );
  });
  // While Redis is not connected, the in-memory insurance answers at once instead of after a command
  // timeout per call (an update makes four calls).
  const shared = { storeClient: redis, rejectIfRedisNotReady: true };
  const failures = new RateLimiterRedis({
    ...failureLimits,
    ...shared,
    insuranceLimiter: localFailures,
  });
  const flights = new RateLimiterRedis({
    ...flightLimits,
    ...shared,
    insuranceLimiter: inCluster
      ? new RateLimiterCluster({ ...flightLimits, timeoutMs: CLUSTER_TIMEOUT_MS })
      : new RateLimiterMemory(flightLimits),
  });
  return counters('redis', failures, flights, async () => {
    redis.disconnect();
  });
}

/** In memory the in-flight count is exact and needs no expiry: only this process can hold a mark. */
function createMemoryFlights(): Counter {
  const counts = new Map<string, number>();
  const answer = (consumedPoints: number) => ({ consumedPoints, msBeforeNext: 0 });
  return {
    get: async (key) => answer(counts.get(key) ?? 0),
    penalty: async (key, points) => {
      const now = (counts.get(key) ?? 0) + points;
      counts.set(key, now);
      return answer(now);
    },
    reward: async (key, points) => {
      const now = (counts.get(key) ?? 0) - points;
      counts.set(key, now);
      return answer(now);
    },
    delete: async (key) => counts.delete(key),
  };
}

function counters(
  kind: AttemptLimiter['kind'],
  failures: Counter,
  flights: Counter,
  close: () => Promise<void>,
): AttemptLimiter {
  return {
    kind,
    async failures(key) {
      const res = await failures.get(key);
      if (!res || res.consumedPoints <= 0) return { count: 0, retryAfterSeconds: 0 };
      return {
        count: res.consumedPoints,
        retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      };
    },
    async addFailure(key) {
      return (await failures.penalty(key, 1)).consumedPoints;
    },
    async clearFailures(key) {
      await failures.delete(key);
    },
    async enter(key) {
      return (await flights.penalty(key, 1)).consumedPoints;
    },
    async leave(key) {
      // A key with nothing in flight keeps no record, or every token ever seen would be remembered.
      if ((await flights.reward(key, 1)).consumedPoints <= 0) await flights.delete(key);
    },
    close,
  };
}
