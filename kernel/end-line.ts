/**
 * How a finished version ended, in one line: `Completed in 8.4 s`, or `Failed in 2.1 s: <why>`.
 * The log's last line, the CLI and the console all say it this way. Only the reason's first
 * line is used; the rest (such as the last log lines) is already above it in the log.
 */
export function endLine(v: { status: string; duration_ms?: number; reason?: string }): string {
  const took = v.duration_ms === undefined ? '' : ` in ${(v.duration_ms / 1000).toFixed(1)} s`;
  const why = v.reason?.split('\n')[0];
  return `${v.status}${took}${why ? `: ${why}` : ''}`;
}
