/**
 * Shares COMPUTE_THREADS among the processes that compute on this machine at the same
 * time (training jobs, service instances, boot files run by hand, other platforms):
 * each one that ran a native kernel lately writes the time into a file named after its
 * pid in a shared folder, counts the fresh files, and uses its share of the threads — all
 * of them when it is alone. An idle service instance stops counting within seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { log } from '../kernel/log';

/** How often a computing process renews its file and recounts the others. */
export const BEAT_MS = 500;
/** A file renewed within this long belongs to a process that computes now. */
export const ACTIVE_MS = 2_000;
/** Files older than this were left by processes that ended without removing them. */
const STALE_MS = 10 * 60_000;

export class ThreadShare {
  private readonly file: string;
  private lastBeat = -Infinity;
  private current = 0;
  private joined = false;

  constructor(
    private readonly dir: string,
    private readonly total: number,
    private readonly apply: (threads: number) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, String(process.pid));
  }

  /** Called before each native kernel: cheap except every BEAT_MS. */
  beat(): void {
    const now = this.now();
    if (now - this.lastBeat < BEAT_MS) return;
    this.lastBeat = now;
    this.refresh(now);
  }

  /** The threads this process uses now. */
  get threads(): number {
    return this.current || this.total;
  }

  /** Stops counting this process (at exit). */
  leave(): void {
    if (!this.joined) return;
    this.joined = false;
    fs.rmSync(this.file, { force: true });
  }

  private refresh(now: number): void {
    try {
      if (!this.joined) {
        fs.mkdirSync(this.dir, { recursive: true });
        this.joined = true;
        process.once('exit', () => this.leave());
      }
      fs.writeFileSync(this.file, String(now));
      const share = Math.max(1, Math.floor(this.total / this.countActive(now)));
      if (share !== this.current) {
        this.current = share;
        this.apply(share);
      }
    } catch (err) {
      // Without the folder each process keeps its threads; the kernel scheduler still shares the cores.
      log.warn(`cannot share compute threads through ${this.dir}; using ${this.threads}`, err);
      this.lastBeat = now + 60_000;
    }
  }

  private countActive(now: number): number {
    let active = 0;
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      const age = now - lastBeatIn(file, now);
      if (age <= ACTIVE_MS) active++;
      else if (age > STALE_MS) fs.rmSync(file, { force: true });
    }
    return Math.max(1, active);
  }
}

/** The time a process last wrote into its file; a file being rewritten right now reads as now. */
function lastBeatIn(file: string, now: number): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return -Infinity; // removed by its process since readdir
  }
  const written = Number(text);
  return text && Number.isFinite(written) ? written : now;
}
