// Child processes of the bench: started as `node …` directly (so the pid we read /proc of is the
// server itself), drained, remembered, and killed on every way out of the runner.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { comm } from './proc-stats.mjs';

const children = new Set();
let handlersInstalled = false;

/** Kills every child still alive (SIGKILL when `hard`). Safe to call from an 'exit' handler. */
export function killAll(hard = false) {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill(hard ? 'SIGKILL' : 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

/** Installs exit/signal/error handlers once: no child outlives the runner. */
export function installCleanup({ onFatal } = {}) {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killAll(true));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping children\n`);
      killAll(true);
      process.exit(130);
    });
  }
  const fatal = (err) => {
    onFatal?.(err);
    process.stderr.write(`\nbench: FAILED: ${err?.stack ?? err}\n`);
    killAll(true);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `node <args>` (or `command <args>`, whose process name must start with `comm`) and waits until it is ready: either it prints a JSON line {"port":N} on
 * stdout (portFromStdout), or GET http://127.0.0.1:<port><readyPath> answers 200.
 * Returns { name, pid, port, child, tail() }. On failure the error carries the output's tail.
 */
export async function startNode({
  name,
  command = process.execPath,
  comm: expectedComm = 'node',
  args,
  env = {},
  cwd,
  port,
  readyPath,
  portFromStdout = false,
  timeoutMs = 30_000,
}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));

  const lines = [];
  let onLine = () => {};
  const keep = (stream) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (lines.length > 60) lines.shift();
        onLine(line);
      }
    });
  };
  keep(child.stdout);
  keep(child.stderr);
  const tail = () => lines.join('\n');

  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
  const deadline = Date.now() + timeoutMs;

  const ready = portFromStdout
    ? new Promise((resolve) => {
        onLine = (line) => {
          try {
            const p = JSON.parse(line).port;
            if (Number.isInteger(p)) resolve(p);
          } catch {
            // not our line
          }
        };
      })
    : (async () => {
        while (Date.now() < deadline) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}${readyPath}`, {
              signal: AbortSignal.timeout(1000),
            });
            await res.arrayBuffer();
            if (res.status === 200) return port;
          } catch {
            // not listening yet
          }
          await delay(100);
        }
        return null;
      })();

  const timeout = delay(timeoutMs).then(() => 'timeout');
  const outcome = await Promise.race([ready, exited, timeout]);
  if (typeof outcome !== 'number') {
    child.kill('SIGKILL');
    const why =
      outcome === 'timeout' || outcome === null
        ? `not ready after ${timeoutMs} ms`
        : `exited (${outcome.code ?? outcome.sig})`;
    const err = new Error(`${name} ${why}. Last output:\n${tail()}`);
    err.exited = outcome !== 'timeout' && outcome !== null;
    throw err;
  }
  const exe = comm(child.pid);
  if (!exe.startsWith(expectedComm))
    throw new Error(`${name}: pid ${child.pid} is '${exe}', not ${expectedComm}`);
  return { name, pid: child.pid, port: outcome, child, tail };
}

/** startNode on a fresh free port, retrying with another port if the first one was taken meanwhile. */
export async function startNodeOnFreePort(opts, makeArgsEnv, attempts = 3) {
  let last;
  for (let i = 0; i < attempts; i++) {
    const port = await freePort();
    const { args, env } = makeArgsEnv(port);
    try {
      return await startNode({ ...opts, args, env, port });
    } catch (err) {
      last = err;
      if (!(err.exited && /EADDRINUSE/.test(err.message))) throw err;
    }
  }
  throw last;
}

/** Stops a child and waits for it (SIGTERM, then SIGKILL after graceMs). */
export async function stop(proc, graceMs = 3000) {
  const c = proc.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}
