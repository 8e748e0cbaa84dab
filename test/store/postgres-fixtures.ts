/**
 * PostgreSQL for tests: each store gets a fresh schema of its own (parallel jest workers and files
 * never share tables), dropped afterwards. Where no server answers, the tests that need one skip
 * with one printed line saying why, so `npm test` passes on a machine without PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/** The development and CI machines run PostgreSQL here (trust auth); `MFA_TEST_PG_URL` points elsewhere. */
export const PG_TEST_URL = process.env.MFA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let availability: Promise<string | null> | undefined;

/** Null when a PostgreSQL server answers at `PG_TEST_URL`, else the reason in one line. */
export function postgresUnavailable(): Promise<string | null> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return `PostgreSQL does not answer at ${new URL(PG_TEST_URL).host} (${typeof code === 'string' ? code : 'no connection'}); start it or set MFA_TEST_PG_URL`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return availability;
}

/** Runs `work` on a connection of its own to the test database (outside any store's schema). */
export async function withPgClient<T>(
  work: (client: pg.Client) => Promise<T>,
  url = PG_TEST_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  readonly name: string;
  /** The store URL: the test database with this schema first on the search path. */
  readonly url: URL;
  drop(): Promise<void>;
}

/** A store URL whose tables land in `schema`. */
export function urlForSchema(schema: string, base = PG_TEST_URL): URL {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url;
}

const created: TestSchema[] = [];

export async function createTestSchema(): Promise<TestSchema> {
  const name = `mfa_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withPgClient((client) => client.query(`CREATE SCHEMA ${name}`));
  const schema: TestSchema = {
    name,
    url: urlForSchema(name),
    drop: () =>
      withPgClient(async (client) => void (await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`))),
  };
  created.push(schema);
  return schema;
}

/** Drops every schema `createTestSchema` made in this file; for `afterAll`. */
export async function dropTestSchemas(): Promise<void> {
  await Promise.all(created.splice(0).map((schema) => schema.drop()));
}

export interface TcpProxy {
  readonly port: number;
  /** Stops listening and cuts every open connection, as a network failure or a database restart would. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
}

/** A loopback TCP relay to the test database, so a test can take the database away and bring it back. */
export async function startTcpProxy(base = PG_TEST_URL): Promise<TcpProxy> {
  const target = new URL(base);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  return {
    port,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async restore() {
      await listen(port);
    },
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function viaProxy(url: URL, proxy: TcpProxy): URL {
  const routed = new URL(url.href);
  routed.hostname = '127.0.0.1';
  routed.port = String(proxy.port);
  return routed;
}
