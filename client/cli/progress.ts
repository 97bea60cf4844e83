/**
 * Following a training job: its status changes as lines, and while it runs one
 * progress line (a bar when the boot file reports `progress` or the job has a
 * `max_steps` parameter, then the latest metrics), redrawn in place on a terminal.
 */
import type { PlatformClient } from '../api-client';
import { endLine } from '../../kernel/end-line';

const BAR_WIDTH = 24;
const SHOWN_METRICS = 6;

export interface Screen {
  /** Whether lines can be redrawn (a terminal). */
  tty: boolean;
  write(text: string): void;
}

export interface FollowOptions {
  intervalMs: number;
}

export async function followJob(client: PlatformClient, id: string, screen: Screen, opts: FollowOptions): Promise<any> {
  let lastStatus = '';
  let lastLine = '';
  let drawn = false;
  const started = Date.now();
  for (;;) {
    const job = await client.request('GET', `/training-jobs/${encodeURIComponent(id)}`);
    const version = job.versions[job.versions.length - 1];
    const status = version.stage && version.status === 'Running' ? `Running (${version.stage})` : version.status;
    if (status !== lastStatus) {
      if (drawn) screen.write('\n');
      screen.write(`${job.name} ${version.version}: ${status}\n`);
      lastStatus = status;
      drawn = false;
    }
    if (version.terminal) {
      if (drawn) screen.write('\n');
      screen.write(summary(version) + '\n');
      return job;
    }
    const line = version.last_metrics ? progressLine(version.last_metrics, maxSteps(job), (Date.now() - started) / 1000) : '';
    if (line && line !== lastLine && (screen.tty || coarse(line) !== coarse(lastLine))) {
      screen.write(screen.tty ? `\r\x1b[K${line}` : `${line}\n`);
      drawn = screen.tty;
      lastLine = line;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}

function maxSteps(job: any): number | undefined {
  const p = (job.versions[job.versions.length - 1].parameters as { name: string; value: string }[]).find((x) => x.name === 'max_steps');
  return p ? Number(p.value) : undefined;
}

export function progressLine(metrics: Record<string, number>, maxSteps: number | undefined, seconds: number): string {
  const fraction = metrics.progress ?? (maxSteps && metrics.step !== undefined ? metrics.step / maxSteps : undefined);
  const parts: string[] = [];
  if (fraction !== undefined) parts.push(bar(fraction));
  const shown = Object.entries(metrics).filter(([k]) => k !== 'time' && k !== 'progress').slice(0, SHOWN_METRICS);
  parts.push(...shown.map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`));
  parts.push(clock(seconds));
  return parts.join('  ');
}

/** `[#####-------]  42%` */
export function bar(fraction: number): string {
  const clamped = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(clamped * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}%`;
}

/** Off a terminal a line is printed only when the bar moves by 5%, so logs stay short. */
export function coarse(line: string): string {
  const pct = /(\d+)%/.exec(line)?.[1];
  return pct === undefined ? line.replace(/\s+\d+:\d\d$/, '') : String(Math.floor(Number(pct) / 5));
}

export function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The line the version's log ends with, then its last metrics and the rest of its reason. */
function summary(version: any): string {
  const metrics = version.last_metrics ? `; last metrics: ${progressLine(version.last_metrics, undefined, 0).replace(/\s+0:00$/, '')}` : '';
  const more = String(version.reason ?? '').split('\n').slice(1).join('\n');
  return `${endLine(version)}${metrics}${more ? `\n${more}` : ''}`;
}
