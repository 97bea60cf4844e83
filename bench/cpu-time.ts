/**
 * CPU time that processes used, from /proc (Linux): the cost per request of the servers
 * measured, which other work on a shared machine disturbs far less than requests/s.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** Milliseconds of CPU (user + system) the processes have used so far; undefined off Linux. */
export function cpuMs(pids: number[]): number | undefined {
  if (os.platform() !== 'linux') return undefined;
  try {
    return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  } catch {
    return undefined;
  }
}

function processCpuMs(pid: number): number {
  // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
}
