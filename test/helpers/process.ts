/** Runs the built gateway (dist/src/main.js) as a real child process and reads its JSON log lines. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  exited(): Promise<number | null>;
}

/**
 * Starts the process and resolves once it logged 'listening' at info level (rejects, and kills it, if that
 * never comes). `nodeArgs` go before the script (e.g. `--import` of a probe).
 */
export function startProcess(
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no 'listening' line in time: ${stdout.join('')}${stderr.join('')}`));
    }, 15_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout.push(c.toString());
      for (const line of c.toString().split('\n')) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve({ child, url: `http://127.0.0.1:${entry.port}`, stdout, stderr, exited: () => exit });
        }
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening: ${stderr.join('')}`));
    });
  });
}

/** Runs the process to completion (for --help and bad configuration). */
export function runToExit(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
