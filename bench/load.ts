/**
 * One load phase on 127.0.0.1: a warm-up whose figures are dropped, then `seconds` of
 * keep-alive POSTs from `connections` clients, with wrk when it is installed (see
 * wrk.ts) and autocannon otherwise or with `--autocannon`. With autocannon, latencies
 * come from each response's own timing (its histogram keeps whole milliseconds only).
 */
import autocannon from 'autocannon';
import { wrkInstalled, wrkRun } from './wrk';
import { cpuMs } from './cpu-time';
import type { LoadFigures, Upload } from './load-figures';

export type { LoadFigures, Upload } from './load-figures';

export const WARM_UP_SECONDS = 2;

const useWrk = !process.argv.includes('--autocannon') && wrkInstalled();

/** Whether the load comes from another process (wrk) rather than this one (autocannon). */
export function loadFromAnotherProcess(): boolean {
  return useWrk;
}

/** Loads `url`; `serverPids` are the processes that serve it, whose CPU time is taken per request. */
export async function loadPhase(url: string, upload: Upload, connections: number, seconds: number, serverPids: number[] = []): Promise<LoadFigures> {
  const run = useWrk ? wrkRun : autocannonRun;
  await run(url, upload, connections, WARM_UP_SECONDS);
  const cpuBefore = cpuMs(serverPids);
  const figures = await run(url, upload, connections, seconds);
  const cpuAfter = cpuMs(serverPids);
  const perRequest = cpuBefore !== undefined && cpuAfter !== undefined && figures.requests ? round((cpuAfter - cpuBefore) / figures.requests, 3) : undefined;
  return { ...figures, rps: round(figures.rps), p50_ms: round(figures.p50_ms), p99_ms: round(figures.p99_ms), seconds: round(figures.seconds), server_cpu_ms_per_request: perRequest };
}

function autocannonRun(url: string, upload: Upload, connections: number, seconds: number): Promise<LoadFigures> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, method: 'POST', body: upload.body, headers: { ...upload.headers, 'content-type': upload.contentType } },
      (err, result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
        resolve({
          tool: 'autocannon',
          connections,
          seconds: result.duration,
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          p50_ms: at(0.5),
          p99_ms: at(0.99),
          errors: result.errors + result.timeouts,
          non_2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  });
}

/** A multipart/form-data body with one file in field `field`, as curl -F sends it. */
export function multipart(field: string, fileName: string, type: string, content: Buffer): Upload {
  const boundary = '----bench' + 'x'.repeat(16);
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export function round(v: number, digits = 2): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
