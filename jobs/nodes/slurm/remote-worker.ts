/**
 * The platform's handle on one node's runner: the worker as superviseWorkers sees any worker
 * (its exit, a signal), fed by what the runner reports over its line. A line that ends before
 * the runner said it was done means the node or its link failed: the worker is lost.
 */
import type { Channel } from '../../../kernel/cluster/channel';
import { dropLogged } from '../../../kernel/util/drop';
import type { RunReport, StartedNode } from '../executor';
import type { WorkerEnd } from '../worker-set';
import type { HelloFrame, PlatformFrame, RunnerFrame } from './node-frames';

export class RemoteWorker implements StartedNode {
  readonly exited: Promise<WorkerEnd>;
  /** Resolves when the runner is done: undefined, or why its work failed (its preparation, its uploads). */
  readonly finished: Promise<string | undefined>;
  /** Resolves when the boot file has started, or the worker has ended without. */
  readonly underWay: Promise<void>;
  /** Why the node could not even start its boot file, when that was so. */
  prepareError?: string;
  private endExit!: (end: WorkerEnd) => void;
  private endWork!: (error: string | undefined) => void;
  private begin!: () => void;
  private exitSaid = false;
  /** Whether the worker ended lost rather than saying how. */
  lost = false;

  constructor(
    readonly hello: HelloFrame,
    readonly task: string,
    private readonly channel: Channel,
    private readonly report: RunReport,
  ) {
    this.exited = new Promise((resolve) => (this.endExit = resolve));
    this.finished = new Promise((resolve) => (this.endWork = resolve));
    this.underWay = new Promise((resolve) => (this.begin = resolve));
    const output = report.output(task);
    channel.on('frame', (f) => this.onFrame(f as RunnerFrame, output));
    channel.on('close', (reason) => this.lose(`${this.where} stopped answering: ${reason}`));
  }

  /** The node, as users find it in the log: its Slurm name and its address. */
  get where(): string {
    return `node ${this.hello.node} (${this.hello.address.host})`;
  }

  send(frame: PlatformFrame): void {
    this.channel.send(frame);
  }

  signal(sig: NodeJS.Signals): void {
    this.send({ t: 'signal', sig });
  }

  /** The worker is gone without saying how it ended (its node failed, or Slurm ended its job). */
  lose(reason: string): void {
    if (!this.exitSaid) this.lost = true;
    this.end({ code: null, signal: null, reason, lost: true });
    this.endWork(undefined);
    this.channel.close(reason);
  }

  get done(): boolean {
    return this.exitSaid;
  }

  private end(exit: WorkerEnd): void {
    if (this.exitSaid) return;
    this.exitSaid = true;
    this.begin();
    this.endExit(exit);
  }

  private onFrame(frame: RunnerFrame, output: (chunk: Buffer) => void): void {
    switch (frame.t) {
      case 'note':
        return this.report.noteFor(this.task, frame.line);
      case 'out':
        return output(Buffer.from(frame.d, 'base64'));
      case 'metrics':
        return this.report.metrics(Buffer.from(frame.d, 'base64'));
      case 'prefetched':
        return void dropLogged(this.report.prefetched(frame.found), `noting what ${this.task} prefetched`);
      case 'started':
        return this.begin();
      case 'exit':
        return this.end(frame.exit);
      case 'done':
        return this.finish(frame.error);
    }
  }

  private finish(error: string | undefined): void {
    if (error !== undefined && !this.exitSaid) {
      this.prepareError = error;
      this.end({ code: 1, signal: null, reason: `could not be prepared: ${error}` });
    }
    this.endWork(error);
  }
}
