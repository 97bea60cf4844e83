/**
 * One load run with wrk (Debian's `wrk`), when it is installed: written in C, it needs
 * a fraction of the CPU autocannon needs per request, which matters on a 2-core machine
 * where the load generator competes with the servers it measures. A Lua script sets
 * the upload and prints the figures as JSON when done. wrk is pinned to one CPU with
 * taskset (the last one; `--wrk-cpus=<list>` for others, `--wrk-cpus=none` for none),
 * so that what it takes is in one place, and the CPU it used per request is measured
 * too (bash's `times` after it exits).
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadFigures, Upload } from './load-figures';

const run = promisify(execFile);

export function wrkInstalled(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** The CPUs wrk is pinned to (a taskset list), or undefined when it is not pinned. */
export function wrkCpus(): string | undefined {
  const arg = process.argv.find((a) => a.startsWith('--wrk-cpus='))?.slice('--wrk-cpus='.length);
  if (arg === 'none') return undefined;
  if (arg) return arg;
  const cpus = os.availableParallelism();
  return cpus > 1 && spawnSync('taskset', ['--version']).error === undefined ? String(cpus - 1) : undefined;
}

/** Runs wrk (pinned when asked), then bash's `times`: its second line is the children's user and system time. */
const RUN_TIMED = 'if [ -n "$1" ]; then taskset -c "$1" wrk "${@:2}"; else wrk "${@:2}"; fi; status=$?; times; exit $status';

const REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"non_2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;

function extraHeaders(upload: Upload): string {
  return Object.entries(upload.headers ?? {})
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}\n`)
    .join('');
}

export async function wrkRun(url: string, upload: Upload, connections: number, seconds: number): Promise<LoadFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-wrk-'));
  try {
    const bodyFile = path.join(dir, 'body');
    await fs.writeFile(bodyFile, upload.body);
    const script = path.join(dir, 'upload.lua');
    await fs.writeFile(
      script,
      `local f = io.open(${JSON.stringify(bodyFile)}, "rb")\nwrk.method = "POST"\nwrk.body = f:read("*all")\nf:close()\nwrk.headers["Content-Type"] = ${JSON.stringify(upload.contentType)}\n${extraHeaders(upload)}${REPORT}`,
    );
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url];
    const cpus = wrkCpus();
    const { stdout } = await run('bash', ['-c', RUN_TIMED, 'bash', cpus ?? '', ...args], { maxBuffer: 1024 * 1024 });
    const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
    const r = JSON.parse(line) as { requests: number; duration_us: number; p50_us: number; p99_us: number; errors: number; non_2xx: number };
    const secondsRun = r.duration_us / 1e6;
    return {
      tool: 'wrk',
      connections,
      seconds: secondsRun,
      requests: r.requests,
      rps: r.requests / secondsRun,
      p50_ms: r.p50_us / 1000,
      p99_ms: r.p99_us / 1000,
      errors: r.errors,
      non_2xx: r.non_2xx,
      load_cpu_ms_per_request: r.requests ? childCpuMs(stdout) / r.requests : undefined,
      load_cpus: cpus,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The children's CPU (user + system, ms) from `times`' last line: "0m1.234s 0m0.567s". */
function childCpuMs(stdout: string): number {
  const last = stdout.trim().split('\n').pop() ?? '';
  const times = [...last.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
  return times.length === 2 ? times[0] + times[1] : NaN;
}
