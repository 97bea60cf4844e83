/**
 * How a version's outcome follows from its workers': it completes when every worker exits 0;
 * the first worker that fails makes the version fail, naming that worker, and the others are
 * stopped (a distributed job cannot go on without one of its nodes). Kept apart from any
 * executor, so local processes and a cluster end jobs by the same rule.
 */
import type { ExitInfo } from '../../kernel/process/supervise';

/** How a worker ended; `lost` when its node or its link to the platform failed, not its boot file. */
export type WorkerEnd = ExitInfo & { lost?: boolean };

export interface WorkerExit {
  index: number;
  task: string;
  exit: WorkerEnd;
}

export interface WorkerOutcome {
  /** 0 when every worker succeeded; else the failed worker's exit. */
  exit: WorkerEnd;
  /** The worker whose failure decided the outcome. */
  failed?: WorkerExit;
  /** Workers that were still running when another failed, and were stopped. */
  stopped: string[];
  /** Each worker's exit, in node order. */
  workers: WorkerExit[];
}

export class WorkerSet {
  private readonly exits: (WorkerExit | undefined)[];
  private failure?: WorkerExit;
  private readonly stoppedTasks: string[] = [];

  constructor(private readonly tasks: string[]) {
    this.exits = tasks.map(() => undefined);
  }

  /**
   * Records one worker's exit. Answers the tasks to stop now: the ones still running when
   * this is the first failure, else none.
   */
  exited(index: number, exit: WorkerEnd): string[] {
    const record = { index, task: this.tasks[index], exit };
    this.exits[index] = record;
    if (exit.code === 0 || this.failure) return [];
    this.failure = record;
    const running = this.tasks.filter((_, i) => this.exits[i] === undefined);
    this.stoppedTasks.push(...running);
    return running;
  }

  get done(): boolean {
    return this.exits.every((e) => e !== undefined);
  }

  outcome(): WorkerOutcome {
    const workers = this.exits.filter((e): e is WorkerExit => e !== undefined);
    const exit = this.failure?.exit ?? workers[0]?.exit ?? { code: null, signal: null, reason: 'never started' };
    return { exit, failed: this.failure, stopped: [...this.stoppedTasks], workers };
  }
}

/** Why a version with several workers failed, in words: which worker, how, and what became of the others. */
export function failureSummary(outcome: WorkerOutcome, nodeCount: number): string {
  const failed = outcome.failed;
  if (!failed) return '';
  if (nodeCount === 1) return failed.exit.lost ? `the job's node was lost: ${failed.exit.reason}` : `the boot file ${failed.exit.reason}`;
  const others = outcome.stopped.length ? `; the other workers were stopped (${outcome.stopped.join(', ')})` : '';
  if (failed.exit.lost) return `${failed.task} was lost: ${failed.exit.reason}${others}`;
  return `${failed.task} failed: its boot file ${failed.exit.reason}${others}`;
}
