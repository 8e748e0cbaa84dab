// Runs before `npm test` (npm's pretest): says, in one line each, which suites that need an outside
// service will run here and which will skip, so a green run on a machine without them is not mistaken
// for a full one. It never fails the run: the suites themselves skip with the same reason.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';

const PG_URL = new URL(process.env.MFA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

function answers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port), timeout: 1500 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function onPath(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

const checks = [
  {
    suites: 'PostgreSQL store, its contract side, CLI and the 3-instance test',
    ok: await answers(PG_URL.hostname, PG_URL.port || 5432),
    why: `nothing answers at ${PG_URL.host} (start PostgreSQL or set MFA_TEST_PG_URL)`,
  },
  {
    suites: 'Redis-shared brute-force guard, workers over Redis, the 3-instance test',
    ok: onPath('redis-server'),
    why: 'redis-server is not installed (apt-get install -y redis-server)',
  },
  {
    suites: 'settings page in a real browser',
    ok: existsSync('/usr/bin/chromium'),
    why: '/usr/bin/chromium is missing (apt-get install -y chromium)',
  },
];
for (const { suites, ok, why } of checks)
  console.log(`test services: ${ok ? 'RUN ' : 'SKIP'} ${suites}${ok ? '' : `: ${why}`}`);
