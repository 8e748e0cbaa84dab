/**
 * Several gateway instances on one PostgreSQL store, with one Redis for the brute-force guard: three
 * real processes (dist/src/main.js), 300 toggles and wrong passwords for 20 users spread across
 * them, one instance killed with SIGKILL in the middle. The audit trail must account for every
 * answer (nothing lost, nothing twice), each user must end where their last successful toggle put
 * them, and the 5-per-window lockout must hold across the instances.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPostgresStore } from '../../src/backend/store/postgres-store.js';
import type { StoreBackend } from '../../src/backend/store/store-types.js';
import { createRng } from '../hardening/support/prng.js';
import { redisServerPath, startRedis, type RedisProcess } from '../hardening/support/redis-server.js';
import { startProcess, type GatewayProcess } from '../helpers/process.js';
import {
  createTestSchema,
  postgresUnavailable,
  withPgClient,
  type TestSchema,
} from '../store/postgres-fixtures.js';
import { FAST_SCRYPT } from '../store/store-fixtures.js';

const UPDATE = `mutation($input: UpdateMyMfaInput!) { updateMyMfa(input: $input) {
  __typename ... on MfaStatus { turnedOn } ... on MfaError { code } } }`;
const INSTANCES = 3;
const USERS = 20;
const REQUESTS = 300;
/** The store's own lockout (and the guard's default): wrong passwords per principal per window. */
const MAX_FAILURES = 5;
/** The instance killed once this many answers have come back. */
const KILL_AFTER_ANSWERS = 100;
const KILLED = 2;

const pgMissing = await postgresUnavailable();
const redisBinary = redisServerPath();
const skipReason =
  pgMissing ??
  (redisBinary ? null : 'redis-server is not installed (CI installs the Debian package redis-server)');
if (skipReason) process.stderr.write(`skipping the multi-instance test: ${skipReason}\n`);
const describeIfServices = skipReason ? describe.skip : describe;

interface User {
  readonly name: string;
  readonly password: string;
  readonly token: string;
  /** Toggles, and wrong-password bursts of three requests sent to three instances at once. */
  readonly plan: ReadonlyArray<
    { readonly kind: 'toggle'; readonly turnedOn: boolean } | { readonly kind: 'burst' }
  >;
}

/** One request and what came back: a __typename, or nothing (the instance died with it in flight). */
interface Sent {
  readonly user: string;
  readonly kind: 'toggle' | 'wrong';
  readonly turnedOn: boolean;
  readonly instance: number;
  readonly answer: string | null;
  readonly turnedOnAnswer?: boolean;
}

/** Togglers send 12 toggles and one burst (15 requests); guessers 6 toggles and three bursts (15). */
function planFor(index: number, rng: ReturnType<typeof createRng>): User['plan'] {
  const guesser = index >= USERS / 2;
  const steps: Array<User['plan'][number]> = Array.from({ length: guesser ? 6 : 12 }, () => ({
    kind: 'toggle' as const,
    turnedOn: rng.chance(0.5),
  }));
  for (let burst = 0; burst < (guesser ? 3 : 1); burst += 1) {
    steps.splice(rng.int(steps.length + 1), 0, { kind: 'burst' });
  }
  return steps;
}

describeIfServices('several gateway instances on one PostgreSQL store', () => {
  let schema: TestSchema;
  let redis: RedisProcess;
  let gateways: GatewayProcess[] = [];
  const users: User[] = [];

  beforeAll(async () => {
    schema = await createTestSchema();
    redis = await startRedis(redisBinary as string);
    const admin: StoreBackend = await createPostgresStore({ url: schema.url, scryptParams: FAST_SCRYPT });
    const rng = createRng(13);
    for (let i = 0; i < USERS; i += 1) {
      const name = `user${i}@example.com`;
      const password = `pw-${i}-${rng.int(1_000_000)}`;
      await admin.admin.addPrincipal({ kind: 'user', name, password });
      await admin.admin.activateDevice(name, `phone ${i}`);
      users.push({
        name,
        password,
        token: await admin.admin.mintToken(name, { ttlSeconds: 3600 }),
        plan: planFor(i, rng),
      });
    }
    await admin.close();
    expect(users.reduce((n, u) => n + u.plan.reduce((m, s) => m + (s.kind === 'burst' ? 3 : 1), 0), 0)).toBe(
      REQUESTS,
    );
    const env = { MFA_STORE_URL: schema.url.href, RATE_LIMIT_REDIS_URL: redis.url, LOG_LEVEL: 'info' };
    gateways = await Promise.all(Array.from({ length: INSTANCES }, () => startProcess(env)));
  }, 60_000);

  afterAll(async () => {
    for (const gateway of gateways) {
      if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
      await gateway.exited();
    }
    await redis?.stop();
    await schema?.drop();
  });

  it('keeps every acknowledged change, each user’s last toggle, and the lockout, with one instance killed mid-load', async () => {
    const sent: Sent[] = [];
    const dead = new Set<number>();
    let answers = 0;
    let killed: Promise<number | null> | undefined;

    const send = async (
      user: User,
      instance: number,
      password: string,
      turnedOn: boolean,
      kind: Sent['kind'],
    ) => {
      let answer: string | null = null;
      let turnedOnAnswer: boolean | undefined;
      try {
        const response = await fetch(`${(gateways[instance] as GatewayProcess).url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'csp-auth-token': user.token },
          body: JSON.stringify({ query: UPDATE, variables: { input: { password, turnedOn } } }),
        });
        const body = (await response.json()) as {
          data?: { updateMyMfa?: { __typename: string; turnedOn?: boolean } };
          errors?: unknown;
        };
        answer = body.data?.updateMyMfa?.__typename ?? `errors: ${JSON.stringify(body.errors)}`;
        turnedOnAnswer = body.data?.updateMyMfa?.turnedOn;
      } catch {
        answer = null; // the connection died with the instance
      }
      sent.push({ user: user.name, kind, turnedOn, instance, answer, turnedOnAnswer });
      if (answer !== null) answers += 1;
      if (answers >= KILL_AFTER_ANSWERS && !killed) {
        dead.add(KILLED);
        const victim = gateways[KILLED] as GatewayProcess;
        victim.child.kill('SIGKILL');
        killed = victim.exited();
      }
      return answer;
    };

    let cursor = 0;
    const live = (): number[] => Array.from({ length: INSTANCES }, (_, i) => i).filter((i) => !dead.has(i));
    const nextInstance = (): number => {
      const alive = live();
      cursor += 1;
      return alive[cursor % alive.length] as number;
    };

    // Each user's requests go one step after another, each step to the next instance; the 20 users
    // run at once, and a burst sends three wrong passwords to three instances at the same moment.
    await Promise.all(
      users.map(async (user) => {
        for (const step of user.plan) {
          if (step.kind === 'burst') {
            const alive = live();
            cursor += 1;
            await Promise.all(
              [0, 1, 2].map((k) =>
                send(
                  user,
                  alive[(cursor + k) % alive.length] as number,
                  `${user.password}-wrong`,
                  true,
                  'wrong',
                ),
              ),
            );
            continue;
          }
          // A toggle that died with its instance is sent again elsewhere, as a client would.
          while ((await send(user, nextInstance(), user.password, step.turnedOn, 'toggle')) === null);
        }
      }),
    );

    expect(killed).toBeDefined();
    expect(await killed).toBeNull(); // killed by a signal, not exited
    expect(sent.filter((s) => s.answer !== null && s.instance === KILLED).length).toBeGreaterThan(0);
    const unexpected = sent.filter(
      (s) =>
        s.answer !== null &&
        !['MfaStatus', 'MfaWrongPasswordError', 'MfaRateLimitedError'].includes(s.answer),
    );
    expect(unexpected).toEqual([]);

    const rows = await withPgClient(
      async (client) =>
        (
          await client.query<{ event_id: string; username: string; action: string }>(
            'SELECT event_id, username, action FROM audit_events ORDER BY seq',
          )
        ).rows,
      schema.url.href,
    );
    const states = await withPgClient(
      async (client) =>
        (
          await client.query<{ name: string; mfa_turned_on: boolean }>(
            'SELECT name, mfa_turned_on FROM principals',
          )
        ).rows,
      schema.url.href,
    );
    // Nothing twice: every event id once.
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);

    let lockedOut = 0;
    for (const user of users) {
      const mine = sent.filter((s) => s.user === user.name);
      const events = rows.filter((row) => row.username === user.name).map((row) => row.action);
      const flips = events.filter((action) => action === 'MFA_ENABLE' || action === 'MFA_DISABLE');
      const failures = events.filter((action) => action === 'MFA_AUTHENTICATION_FAILURE').length;
      const finalState = states.find((row) => row.name === user.name)?.mfa_turned_on;

      // Every flip is real (off → on → off …) and the row agrees with the last one.
      flips.forEach((action, i) =>
        expect({ user: user.name, i, action }).toEqual({
          user: user.name,
          i,
          action: i % 2 === 0 ? 'MFA_ENABLE' : 'MFA_DISABLE',
        }),
      );
      expect({ user: user.name, finalState }).toEqual({
        user: user.name,
        finalState: flips.at(-1) === 'MFA_ENABLE',
      });

      // Replay the answers in the order the user sent them: the flips the trail must hold. A toggle
      // that died in flight may or may not have committed before the kill: both outcomes are allowed.
      let possible = [{ on: false, flips: 0 }];
      for (const s of mine.filter((x) => x.kind === 'toggle')) {
        const applied = possible.map((p) => ({
          on: s.turnedOn,
          flips: p.flips + (p.on === s.turnedOn ? 0 : 1),
        }));
        if (s.answer === 'MfaStatus') possible = applied;
        else if (s.answer === null) possible = [...possible, ...applied];
      }
      const consistent = possible.some((p) => p.on === finalState && p.flips === flips.length);
      expect({ user: user.name, consistent, finalState, flips: flips.length, possible }).toMatchObject({
        consistent: true,
      });
      // The last successful toggle decides, unless a later one died in flight.
      const toggles = mine.filter((s) => s.kind === 'toggle');
      const lastSuccess = toggles.map((s) => s.answer).lastIndexOf('MfaStatus');
      if (lastSuccess >= 0 && !toggles.slice(lastSuccess + 1).some((s) => s.answer === null)) {
        expect({ user: user.name, finalState }).toEqual({
          user: user.name,
          finalState: toggles[lastSuccess]?.turnedOn,
        });
      }

      // Wrong passwords: every one answered WRONG_PASSWORD is in the trail, none twice, and across
      // all three instances no more than the lockout allows.
      const wrongAnswers = mine.filter((s) => s.answer === 'MfaWrongPasswordError').length;
      const wrongUnanswered = mine.filter((s) => s.kind === 'wrong' && s.answer === null).length;
      expect(failures).toBeGreaterThanOrEqual(wrongAnswers);
      expect(failures).toBeLessThanOrEqual(wrongAnswers + wrongUnanswered);
      expect(failures).toBeLessThanOrEqual(MAX_FAILURES);
      expect(wrongAnswers).toBeLessThanOrEqual(MAX_FAILURES);
      if (failures === MAX_FAILURES) lockedOut += 1;
    }
    // The guessers (nine wrong passwords each) reach the limit; below it nothing is refused for them.
    expect(lockedOut).toBeGreaterThan(0);

    // The two instances left serve on.
    for (const index of live()) {
      expect((await fetch(`${(gateways[index] as GatewayProcess).url}/health`)).status).toBe(200);
    }
  }, 120_000);
});
