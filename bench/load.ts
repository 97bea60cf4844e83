/**
 * One load phase with autocannon on 127.0.0.1: a warm-up whose figures are dropped,
 * then `seconds` of keep-alive POSTs from `connections` clients. Latencies come from
 * each response's own timing (autocannon's histogram keeps whole milliseconds only).
 */
import autocannon from 'autocannon';

export interface Upload {
  body: Buffer;
  contentType: string;
}

export interface LoadFigures {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Answers other than 2xx. */
  non_2xx: number;
}

export const WARM_UP_SECONDS = 2;

export async function loadPhase(url: string, upload: Upload, connections: number, seconds: number): Promise<LoadFigures> {
  await run(url, upload, connections, WARM_UP_SECONDS);
  return run(url, upload, connections, seconds);
}

function run(url: string, upload: Upload, connections: number, seconds: number): Promise<LoadFigures> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: seconds, method: 'POST', body: upload.body, headers: { 'content-type': upload.contentType } },
      (err, result) => {
        if (err) return reject(err);
        times.sort((a, b) => a - b);
        const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN);
        resolve({
          connections,
          seconds: result.duration,
          requests: result.requests.total,
          rps: round(result.requests.total / result.duration),
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
