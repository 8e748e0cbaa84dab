import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { cspError, delayed, json, PATCH_PATH, startFakeCsp, type FakeCsp } from '../helpers/fake-csp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { fakeJwt, UPDATE_MY_MFA, userJwt } from '../helpers/operations.js';
import { freePort, redisServerPath, startRedis, type RedisProcess } from './support/redis-server.js';
import { type UpdateMyMfaMutation } from '../generated/operations.js';
import { addUser, makeTempDir, openTestStore, PASSWORD, removeTempDirs } from '../store/store-fixtures.js';
import { type Reply } from '../helpers/fake-csp.js';
import path from 'node:path';

type Member = UpdateMyMfaMutation['updateMyMfa'];

const ATTEMPTS = 3;
const WINDOW_SECONDS = 2;
const GUARD = {
  BRUTE_FORCE_MAX_ATTEMPTS: String(ATTEMPTS),
  BRUTE_FORCE_WINDOW_SECONDS: String(WINDOW_SECONDS),
};

let csp: FakeCsp;
let subjectSeq = 0;

beforeAll(async () => {
  csp = await startFakeCsp();
});

afterAll(async () => {
  await csp.close();
});

afterEach(() => {
  csp.onPatch(json(200, { turnedOn: true }));
  csp.requests.length = 0;
});

/** A token for a principal no other test uses, so counts never carry over between tests. */
const freshUser = () => userJwt({ sub: `vmwareid:bf-${process.pid}-${++subjectSeq}` });
const patches = () => csp.requests.filter((r) => r.method === 'PATCH' && r.path === PATCH_PATH).length;

async function update(gateway: TestGateway, token: string, password = 'guess'): Promise<Member> {
  const answer = await gateway.graphql<UpdateMyMfaMutation>(
    UPDATE_MY_MFA,
    { input: { password, turnedOn: true } },
    { 'csp-auth-token': token },
  );
  expect(answer.status).toBe(200);
  const member = answer.body.data?.updateMyMfa;
  if (!member) throw new Error(`no data in ${JSON.stringify(answer.body)}`);
  return member;
}

function retryAfterOf(member: Member): number | null | undefined {
  return member.__typename === 'MfaRateLimitedError' ? member.retryAfterSeconds : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CSP as it really behaves: a token it did not sign is 401, whatever its payload says. */
function cspAccepting(genuine: string, forGenuine: Reply, delayMs = 0): Reply {
  return (req, res) => {
    const reply = req.headers['csp-auth-token'] === genuine ? forGenuine : cspError(401);
    if (delayMs > 0) setTimeout(() => reply(req, res), delayMs);
    else reply(req, res);
  };
}

/** The same token with its signature spelled another way: `==` padding, or different unused bits. */
function respellings(token: string): string[] {
  const [header, payload] = token.split('.');
  // 'signature!' is 10 bytes: 14 characters, the last one carrying 4 unused bits.
  return [
    `${header}.${payload}.c2lnbmF0dXJlIQ`,
    `${header}.${payload}.c2lnbmF0dXJlIQ==`,
    `${header}.${payload}.c2lnbmF0dXJlIR`,
  ];
}

describe('brute-force guard (in memory)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ CSP_BASE_URL: csp.url, ...GUARD });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('refuses the update locally after N wrong passwords, with retryAfterSeconds, and lets it through after the window', async () => {
    csp.onPatch(cspError(403));
    const token = freshUser();
    for (let i = 0; i < ATTEMPTS; i++)
      expect((await update(gateway, token)).__typename).toBe('MfaWrongPasswordError');
    const refused = await update(gateway, token);
    expect(refused.__typename).toBe('MfaRateLimitedError');
    expect(retryAfterOf(refused)).toBeGreaterThanOrEqual(1);
    expect(retryAfterOf(refused)).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(patches()).toBe(ATTEMPTS);

    await sleep(WINDOW_SECONDS * 1000 + 200);
    csp.onPatch(json(200, { turnedOn: true }));
    expect((await update(gateway, token, 'right')).__typename).toBe('MfaStatus');
    expect(patches()).toBe(ATTEMPTS + 1);
  });

  it('counts per principal: another user is not affected, and myMfa is never blocked', async () => {
    csp.onPatch(cspError(403));
    const blocked = freshUser();
    for (let i = 0; i <= ATTEMPTS; i++) await update(gateway, blocked);
    expect((await update(gateway, blocked)).__typename).toBe('MfaRateLimitedError');
    expect((await update(gateway, freshUser())).__typename).toBe('MfaWrongPasswordError');
    const status = await gateway.graphql('{ myMfa { __typename } }', undefined, {
      'csp-auth-token': blocked,
    });
    expect(status.body.data).toEqual({ myMfa: { __typename: 'MfaStatus' } });
  });

  it('keys on the sub claim: two tokens of one user share the count', async () => {
    csp.onPatch(cspError(403));
    const sub = `vmwareid:shared-${process.pid}`;
    for (let i = 0; i < ATTEMPTS; i++) await update(gateway, userJwt({ sub, jti: `t${i}` }));
    expect((await update(gateway, userJwt({ sub, jti: 'another' }))).__typename).toBe('MfaRateLimitedError');
  });

  it('keys an opaque token on its hash', async () => {
    csp.onPatch(cspError(403));
    const opaque = `opaque-${process.pid}-${Date.now()}`;
    for (let i = 0; i < ATTEMPTS; i++) await update(gateway, opaque);
    expect((await update(gateway, opaque)).__typename).toBe('MfaRateLimitedError');
    expect((await update(gateway, `${opaque}-other`)).__typename).toBe('MfaWrongPasswordError');
  });

  it('does not count other failures, and a right password clears the count', async () => {
    const token = freshUser();
    csp.onPatch(cspError(403));
    for (let i = 0; i < ATTEMPTS - 1; i++) await update(gateway, token);
    csp.onPatch(cspError(409));
    for (let i = 0; i < ATTEMPTS + 1; i++)
      expect((await update(gateway, token)).__typename).toBe('MfaConflictError');
    csp.onPatch(json(200, { turnedOn: true }));
    expect((await update(gateway, token)).__typename).toBe('MfaStatus');
    csp.onPatch(cspError(403));
    for (let i = 0; i < ATTEMPTS; i++)
      expect((await update(gateway, token)).__typename).toBe('MfaWrongPasswordError');
  });

  it('lets at most N attempts through when they arrive at once', async () => {
    csp.onPatch(cspError(403));
    const token = freshUser();
    const members = await Promise.all(Array.from({ length: 12 }, () => update(gateway, token)));
    expect(patches()).toBeLessThanOrEqual(ATTEMPTS);
    expect(members.filter((m) => m.__typename === 'MfaRateLimitedError').length).toBeGreaterThanOrEqual(
      12 - ATTEMPTS,
    );
  });

  it('tells updates refused only because others are in flight to retry in a second, not after the window', async () => {
    csp.onPatch(delayed(150, json(200, { turnedOn: true })));
    const token = freshUser();
    const members = await Promise.all(
      Array.from({ length: ATTEMPTS + 2 }, () => update(gateway, token, 'right')),
    );
    const refused = members.filter((m) => m.__typename === 'MfaRateLimitedError');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const member of refused) expect(retryAfterOf(member)).toBe(1);
    expect((await update(gateway, token, 'right')).__typename).toBe('MfaStatus');
  });

  it('never locks a user out for requests made with a forged token that names them', async () => {
    const sub = `vmwareid:victim-${process.pid}-${++subjectSeq}`;
    const victim = userJwt({ sub, jti: 'the-real-one' });
    const forged = fakeJwt({ sub });
    csp.onPatch(cspAccepting(victim, json(200, { turnedOn: true }), 100));
    const attack = await Promise.all(Array.from({ length: 10 }, () => update(gateway, forged)));
    expect(
      attack.every(
        (m) => m.__typename === 'MfaUnauthenticatedError' || m.__typename === 'MfaRateLimitedError',
      ),
    ).toBe(true);
    for (let i = 0; i < 10; i++) await update(gateway, forged);
    expect((await update(gateway, victim, 'right')).__typename).toBe('MfaStatus');
  });

  it('lets the real user through while forged tokens naming them are in flight', async () => {
    const sub = `vmwareid:victim-${process.pid}-${++subjectSeq}`;
    const victim = userJwt({ sub, jti: 'the-real-one' });
    csp.onPatch(cspAccepting(victim, json(200, { turnedOn: true }), 300));
    const attack = Promise.all(
      Array.from({ length: 10 }, (_, i) => update(gateway, fakeJwt({ sub, jti: `f${i}` }))),
    );
    await sleep(50);
    expect((await update(gateway, victim, 'right')).__typename).toBe('MfaStatus');
    await attack;
  });

  it('counts only answered wrong passwords: a locked user stays locked for the window, refusals add nothing', async () => {
    csp.onPatch(cspError(403));
    const token = freshUser();
    for (let i = 0; i < ATTEMPTS; i++) await update(gateway, token);
    const first = retryAfterOf(await update(gateway, token));
    for (let i = 0; i < 5; i++) expect((await update(gateway, token)).__typename).toBe('MfaRateLimitedError');
    expect(retryAfterOf(await update(gateway, token))).toBeLessThanOrEqual(first ?? 0);
    expect(patches()).toBe(ATTEMPTS);
  });

  it('counts one token however its signature is spelled', async () => {
    csp.onPatch(delayed(100, cspError(403)));
    const spellings = respellings(freshUser());
    const members = await Promise.all(
      Array.from({ length: 12 }, (_, i) => update(gateway, spellings[i % 3] as string)),
    );
    expect(patches()).toBeLessThanOrEqual(ATTEMPTS);
    expect(members.filter((m) => m.__typename === 'MfaWrongPasswordError').length).toBe(patches());
  });

  it('sums refusals into a warn line instead of one line per refusal', async () => {
    csp.onPatch(cspError(403));
    const token = freshUser();
    for (let i = 0; i < ATTEMPTS; i++) await update(gateway, token);
    const before = gateway.logs.length;
    for (let i = 0; i < 20; i++) await update(gateway, token);
    const lines = gateway.logs
      .slice(before)
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    const refusals = lines.filter((l) => l.msg.includes('refused locally'));
    expect(refusals.filter((l) => l.level === 'debug').length).toBe(20);
    expect(refusals.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(1);
  });

  it('passes an upstream 429 through with its Retry-After', async () => {
    csp.onPatch(cspError(429, {}, { 'retry-after': '42' }));
    const member = await update(gateway, freshUser());
    expect(member.__typename).toBe('MfaRateLimitedError');
    expect(retryAfterOf(member)).toBe(42);
  });

  it('never logs the raw token or the sub it counts under', async () => {
    csp.onPatch(cspError(403));
    const sub = `vmwareid:secret-sub-${process.pid}`;
    const token = fakeJwt({ sub, username: 'bob@example.com' });
    for (let i = 0; i <= ATTEMPTS; i++) await update(gateway, token);
    const logs = gateway.logs.join('\n');
    expect(logs).toContain('brute-force guard');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(sub);
  });
});

describe('brute-force guard in front of the embedded store', () => {
  afterAll(removeTempDirs);

  it('never locks a user out for forged tokens that name them', async () => {
    const file = path.join(await makeTempDir(), 'store.sqlite');
    const admin = await openTestStore({ path: file });
    const { token } = await addUser(admin);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const gateway = await startGateway({ MFA_STORE_PATH: file, ...GUARD });
    try {
      const attack = await Promise.all(Array.from({ length: 10 }, () => update(gateway, forged)));
      expect(
        attack.every(
          (m) => m.__typename === 'MfaUnauthenticatedError' || m.__typename === 'MfaRateLimitedError',
        ),
      ).toBe(true);
      expect((await update(gateway, token, PASSWORD)).__typename).toBe('MfaStatus');
    } finally {
      await gateway.close();
      await admin.close();
    }
  });
});

async function countKeys(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    return (await client.keys('*')).length;
  } finally {
    await client.quit();
  }
}

describe('brute-force guard shared through Redis', () => {
  const binary = redisServerPath();
  let redis: RedisProcess | undefined;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    if (!binary) {
      console.log(
        'skipping the Redis tests: redis-server is not installed (CI installs the Debian package redis-server)',
      );
      return;
    }
    redis = await startRedis(binary);
    const env = {
      CSP_BASE_URL: csp.url,
      ...GUARD,
      BRUTE_FORCE_WINDOW_SECONDS: '60',
      RATE_LIMIT_REDIS_URL: redis.url,
    };
    a = await startGateway(env);
    b = await startGateway(env);
  });
  afterAll(async () => {
    if (!redis) return;
    await a.close();
    await b.close();
    await redis.stop();
  });

  it('counts across instances, stores only hashed keys, and keeps guarding in memory when Redis goes away', async () => {
    if (!redis) return;
    csp.onPatch(cspError(403));
    const sub = `vmwareid:redis-${process.pid}`;
    const token = userJwt({ sub });
    expect((await update(a, token)).__typename).toBe('MfaWrongPasswordError');
    expect((await update(b, token)).__typename).toBe('MfaWrongPasswordError');
    expect((await update(a, token)).__typename).toBe('MfaWrongPasswordError');
    expect((await update(b, token)).__typename).toBe('MfaRateLimitedError');
    expect((await update(a, token)).__typename).toBe('MfaRateLimitedError');
    expect(patches()).toBe(ATTEMPTS);

    const client = new Redis(redis.url);
    const keys = await client.keys('*');
    await client.quit();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(sub);
      expect(key).not.toContain(token);
    }

    // An attempt that did not fail on the password leaves no record behind (no growth per token seen).
    csp.onPatch(cspError(401));
    const before = await countKeys(redis.url);
    for (let i = 0; i < 5; i++) await update(a, `opaque-unknown-${i}`);
    expect(await countKeys(redis.url)).toBe(before);
    csp.onPatch(cspError(403));

    // Redis down: each instance counts in memory (documented fail-over), and says so in its log.
    await redis.stop();
    csp.requests.length = 0;
    const other = freshUser();
    for (let i = 0; i < ATTEMPTS; i++)
      expect((await update(a, other)).__typename).toBe('MfaWrongPasswordError');
    expect((await update(a, other)).__typename).toBe('MfaRateLimitedError');
    expect(patches()).toBe(ATTEMPTS);
    expect(a.logs.some((line) => line.includes('Redis unreachable'))).toBe(true);
  });
});

describe('brute-force guard with an unreachable Redis from the start', () => {
  it('guards in memory and logs the fail-over', async () => {
    const port = await freePort();
    const gateway = await startGateway({
      CSP_BASE_URL: csp.url,
      ...GUARD,
      RATE_LIMIT_REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    try {
      csp.onPatch(cspError(403));
      const token = freshUser();
      for (let i = 0; i < ATTEMPTS; i++)
        expect((await update(gateway, token)).__typename).toBe('MfaWrongPasswordError');
      expect((await update(gateway, token)).__typename).toBe('MfaRateLimitedError');
      expect(patches()).toBe(ATTEMPTS);
      expect(gateway.logs.some((line) => line.includes('Redis unreachable'))).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});
