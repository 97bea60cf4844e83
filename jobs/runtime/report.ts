import fs from 'node:fs';

/**
 * Sends metrics to the platform: one JSON line per report on the file descriptor
 * named by MA_METRICS_FD. Run outside the platform, reports go to stdout instead.
 */
export function report(metrics: Record<string, number>): void {
  const line = JSON.stringify({ ...metrics, time: Date.now() }) + '\n';
  const fd = Number(process.env.MA_METRICS_FD);
  if (Number.isInteger(fd) && fd > 2) {
    fs.writeSync(fd, line);
  } else {
    process.stdout.write(`metrics ${line}`);
  }
}
