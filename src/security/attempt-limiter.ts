/**
 * Counts failed attempts per key in a fixed window (rate-limiter-flexible): in memory, or in Redis when
 * several instances must share the counts. The only module that imports rate-limiter-flexible and ioredis.
 */
import { createRequire } from 'node:module';
import { type Redis as RedisClient } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { type Logger } from '../logger.js';

export type Reservation = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export interface AttemptLimiter {
  /** 'memory', or 'redis' (which falls back to memory while Redis is unreachable). */
  readonly kind: 'memory' | 'redis';
  /**
   * Takes one attempt from the key's budget before the attempt is made, so concurrent attempts cannot
   * overshoot it; refused once the budget of the window is spent.
   */
  reserve(key: string): Promise<Reservation>;
  /** Gives a reserved attempt back: the attempt did not fail on the password. */
  refund(key: string): Promise<void>;
  /** Forgets the key's failures: the password was right. */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface AttemptLimiterOptions {
  /** Failed attempts allowed per window. */
  readonly maxAttempts: number;
  readonly windowSeconds: number;
  /** Shared counters; in memory when absent. */
  readonly redisUrl?: URL;
  readonly logger: Logger;
  /** How long a Redis command may take before the in-memory fallback answers. Defaults to 500. */
  readonly redisCommandTimeoutMs?: number;
  /** Namespaces the Redis keys. Defaults to 'csp-mfa:pw-fail'. */
  readonly keyPrefix?: string;
}

export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const keyPrefix = options.keyPrefix ?? 'csp-mfa:pw-fail';
  const limits = { points: options.maxAttempts, duration: options.windowSeconds, keyPrefix };
  const memory = new RateLimiterMemory(limits);
  if (!options.redisUrl) return wrap('memory', memory, async () => undefined);

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
  const shared = new RateLimiterRedis({
    ...limits,
    storeClient: redis,
    insuranceLimiter: memory,
  });
  return wrap('redis', shared, async () => {
    redis.disconnect();
  });
}

type Limiter = Pick<RateLimiterMemory, 'consume' | 'reward' | 'delete'>;

function wrap(kind: AttemptLimiter['kind'], limiter: Limiter, close: () => Promise<void>): AttemptLimiter {
  return {
    kind,
    async reserve(key) {
      try {
        await limiter.consume(key);
        return { ok: true };
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent, with an Error
        // only when the store failed and no insurance limiter could answer.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
    },
    async refund(key) {
      const left = await limiter.reward(key, 1);
      // A key with no failure on it keeps no record (nor, in memory, a timer) for the rest of the
      // window; else every distinct token ever seen would be remembered for the whole window. A
      // reservation racing in between is forgotten with it: at most one extra attempt, rarely.
      if (left.consumedPoints <= 0) await limiter.delete(key);
    },
    async reset(key) {
      await limiter.delete(key);
    },
    close,
  };
}
