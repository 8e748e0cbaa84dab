// CPU pinning through taskset(1): the only portable way from Node to set an affinity mask.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Why pinning cannot be done here, or null when it can. */
export function pinningUnavailableReason() {
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  if (probe.error)
    return `taskset not usable (${probe.error.code ?? probe.error.message}); install util-linux`;
  if (probe.status !== 0) return `taskset failed: ${probe.stderr.trim()}`;
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  if (cpus < 2) return `only ${cpus} CPU available; pinning needs 2`;
  const allowed = cpusAllowed(process.pid);
  if (!allowed.includes(0) || !allowed.includes(1))
    return `CPUs 0 and 1 not both allowed (allowed: ${allowed.join(',')})`;
  return null;
}

/** Sets the affinity of every thread of pid (taskset -a -p). cpus: '0', '1', '0,1'. */
export function setAffinity(pid, cpus) {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid} failed: ${r.stderr || r.error}`);
  const want = expand(cpus).join(',');
  const stray = threadAffinities(pid).filter((list) => list !== undefined && expand(list).join(',') !== want);
  if (stray.length)
    throw new Error(`pid ${pid}: ${stray.length} thread(s) not on CPUs ${cpus} after taskset`);
}

/** The CPUs a pid may run on, parsed from Cpus_allowed_list. */
export function cpusAllowed(pid) {
  const list = /^Cpus_allowed_list:\s+(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  return expand(list);
}

function threadAffinities(pid) {
  const lists = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      lists.push(/^Cpus_allowed_list:\s+(.+)$/m.exec(s)?.[1]);
    } catch {
      // thread exited meanwhile
    }
  }
  return lists;
}

function expand(list) {
  const out = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}
