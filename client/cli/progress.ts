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
  const piped = new PipedProgress();
  const started = Date.now();
  let lastStatus = '';
  let lastLine = '';
  let drawn = false;
  const status = (job: any, version: any) => {
    if (version.status === lastStatus) return;
    if (drawn) screen.write('\n');
    screen.write(`${job.name} ${version.version}: ${version.status}\n`);
    lastStatus = version.status;
    drawn = false;
  };
  for (;;) {
    const job = await client.request('GET', `/training-jobs/${encodeURIComponent(id)}`);
    const version = job.versions[job.versions.length - 1];
    // A final status comes after the last progress lines; any other before its own.
    if (!version.terminal) status(job, version);
    if (!screen.tty && (version.status === 'Running' || version.terminal)) {
      const points = await client.request('GET', `/training-jobs/${encodeURIComponent(id)}/metrics?version=${version.version}&offset=${piped.seen}`);
      for (const line of piped.lines(points.metrics, maxSteps(job), ms(version.phases?.Running), version.terminal)) screen.write(`${line}\n`);
    }
    if (version.terminal) {
      status(job, version);
      screen.write(summary(version) + '\n');
      return job;
    }
    const line = screen.tty && version.last_metrics ? progressLine(version.last_metrics, maxSteps(job), (Date.now() - started) / 1000) : '';
    if (line && line !== lastLine) {
      screen.write(`\r\x1b[K${line}`);
      drawn = true;
      lastLine = line;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}

const ms = (iso: string | undefined) => (iso ? new Date(iso).getTime() : undefined);

/**
 * Off a terminal, a line each time the run passes another 5% (from the metric points the
 * boot file reported, so none is skipped however seldom the follower asks), or without a
 * bar every 5 s of the run; and at the end the last point's line, if not printed yet.
 */
export class PipedProgress {
  seen = 0;
  private nextStep = 0;
  private nextTime = 0;
  private unprinted?: Record<string, number>;

  lines(points: Record<string, number>[], maxSteps: number | undefined, runningSince: number | undefined, final: boolean): string[] {
    const line = (point: Record<string, number>) => {
      const seconds = runningSince !== undefined && point.time ? (point.time - runningSince) / 1000 : 0;
      return progressLine(point, maxSteps, Math.max(0, seconds));
    };
    const out: string[] = [];
    for (const point of points) {
      this.seen++;
      this.unprinted = point;
      const fraction = fractionOf(point, maxSteps);
      if (fraction !== undefined) {
        const step = Math.floor((Math.min(1, fraction) * 100) / PIPED_STEP_PERCENT);
        if (step < this.nextStep) continue;
        this.nextStep = step + 1;
      } else {
        if ((point.time ?? 0) < this.nextTime) continue;
        this.nextTime = (point.time ?? 0) + PIPED_INTERVAL_MS;
      }
      out.push(line(point));
      this.unprinted = undefined;
    }
    if (final && this.unprinted) out.push(line(this.unprinted));
    return out;
  }
}

/** Piped, a line every this many percent, or every this many milliseconds of the run without a bar. */
const PIPED_STEP_PERCENT = 5;
const PIPED_INTERVAL_MS = 5000;

function fractionOf(metrics: Record<string, number>, maxSteps: number | undefined): number | undefined {
  return metrics.progress ?? (maxSteps && metrics.step !== undefined ? metrics.step / maxSteps : undefined);
}

function maxSteps(job: any): number | undefined {
  const p = (job.versions[job.versions.length - 1].parameters as { name: string; value: string }[]).find((x) => x.name === 'max_steps');
  return p ? Number(p.value) : undefined;
}

export function progressLine(metrics: Record<string, number>, maxSteps: number | undefined, seconds: number): string {
  const fraction = fractionOf(metrics, maxSteps);
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
