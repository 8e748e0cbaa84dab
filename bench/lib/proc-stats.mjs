// What the kernel accounts for one process: CPU ticks, resident memory and its peak. Linux only
// (/proc); every figure is read from the server's own pid, never from a wrapper's.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second for utime/stime in /proc/<pid>/stat (`getconf CLK_TCK`, 100 on Linux). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of the whole process (all threads), in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS and VmHWM (peak RSS since start or since resetPeak) in bytes. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peakRss: kb('VmHWM') * 1024 };
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs, Linux >= 4.0); false if refused. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The executable name the kernel reports (to prove we measure node, not sh or npm). */
export function comm(pid) {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** A snapshot to diff around a measured run. */
export function sample(pid) {
  return { ticks: cpuTicks(pid), at: process.hrtime.bigint(), ...memory(pid) };
}

/** user + nice + system ticks of the whole machine (first line of /proc/stat). */
export function machineBusyTicks() {
  const [, user, nice, system] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  return user + nice + system;
}

/** Sum of cpuTicks over pids, skipping any that are gone. */
export function ticksOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += cpuTicks(pid);
    } catch {
      // exited
    }
  }
  return sum;
}
