/**
 * One node of a training job on a cluster, as the platform's runner does it there: introduce
 * the node, wait for its part of the contract, then do what a local node does (node-preparation.ts,
 * node-process.ts) in a folder of the node's own, reporting everything back over the line. The
 * runner's exit code is the boot file's, so Slurm's job state agrees with the platform's.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Channel, Frame } from '../../../kernel/cluster/channel';
import { prepareRuntimeModules } from '../../../compute/runtime-modules';
import { ObjectStore } from '../../../kernel/storage/object-store';
import { workspaceAt, type Workspace } from '../../execution/workspace';
import type { Prefetched } from '../../job-record';
import type { StartedNode } from '../executor';
import { freePort } from '../local-executor';
import { nodeLaunches, taskName } from '../node-contract';
import { failureReason, prepareNode, uploadOutputs } from '../node-preparation';
import { startNodeProcess } from '../node-process';
import type { WorkerEnd } from '../worker-set';
import type { HelloFrame, PlatformFrame, RunnerFrame, StartFrame } from './node-frames';

/** How long the platform may take to send the contract once every node has said hello. */
const START_TIMEOUT_MS = 10 * 60_000;

/** The network interface holding `address`, if this machine has it. */
function interfaceOf(address: string): string | undefined {
  for (const [name, entries] of Object.entries(os.networkInterfaces())) {
    if (entries?.some((e) => e.address === address)) return name;
  }
  return undefined;
}

export async function runNode(channel: Channel, index: number, node: string): Promise<number> {
  const host = channel.localAddress;
  const hello: HelloFrame = { t: 'hello', index, node, address: { host, port: await freePort(host), interface: interfaceOf(host) } };
  // A stop may come right behind the contract, before the work listens: it is kept for it.
  let early: NodeJS.Signals | undefined;
  const keep = (f: Frame) => {
    const frame = f as PlatformFrame;
    if (frame.t === 'signal') early ??= frame.sig;
  };
  channel.on('frame', keep);
  channel.send(hello);
  const start = await channel.next<StartFrame>('start', START_TIMEOUT_MS);
  channel.off('frame', keep);
  const work = new NodeWorkOnCluster(channel, start, index);
  if (early) work.signal(early);
  return work.run();
}

class NodeWorkOnCluster {
  private signalled?: NodeJS.Signals;
  private finished = false;
  private started?: StartedNode & { child: ChildProcess };
  private readonly nodeDir: string;

  constructor(
    private readonly channel: Channel,
    private readonly start: StartFrame,
    private readonly index: number,
  ) {
    this.nodeDir = path.join(start.workDir, 'jobs', `${start.job.id}-${start.version.version}-${taskName(index)}`);
    channel.on('frame', (f) => this.onFrame(f as PlatformFrame));
    // Without the platform nobody hears the node any more: its boot file goes, as a local one goes with the platform.
    channel.on('close', () => this.finished || this.signal('SIGKILL'));
    // Slurm's scancel signals the runner: the boot file hears it too.
    process.on('SIGTERM', () => this.signal('SIGTERM'));
  }

  private send(frame: RunnerFrame): boolean {
    return this.channel.send(frame);
  }

  private onFrame(frame: PlatformFrame): void {
    if (frame.t === 'signal') this.signal(frame.sig);
  }

  signal(sig: NodeJS.Signals): void {
    this.signalled ??= sig;
    this.started?.signal(sig);
  }

  async run(): Promise<number> {
    const { job, version } = this.start;
    const note = (line: string) => void this.send({ t: 'note', line });
    const store = new ObjectStore({ ...this.start.obs });
    // The workspace is made afresh (emptied) by prepareNode; the runtime modules live beside it.
    const ws = workspaceAt(path.join(this.nodeDir, 'home'), job);
    try {
      const runtimeModules = await prepareRuntimeModules(this.nodeDir);
      // Every node prefetches for itself; the record says what the first one found.
      const prefetched = async (found: Prefetched[]) => void (this.index === 0 && this.send({ t: 'prefetched', found }));
      const python = await prepareNode({ store, job, version, ws, runtimeModules, python: this.start.python }, { note, prefetched });
      if (this.signalled) return this.end({ code: null, signal: null, reason: 'was stopped before its boot file started' });
      const exit = await this.boot(python, ws);
      this.send({ t: 'exit', exit });
      await uploadOutputs(store, version, ws, note);
      return this.end(exit);
    } catch (err) {
      this.finished = true;
      this.send({ t: 'done', error: failureReason(err) });
      return 1;
    } finally {
      store.destroy();
      await fs.rm(this.nodeDir, { recursive: true, force: true });
    }
  }

  private async boot(python: string | undefined, ws: Workspace): Promise<WorkerEnd> {
    const { job, version, obs, compute, addresses } = this.start;
    const launch = nodeLaunches({ job, version, ws, obs, compute, python, addresses })[this.index];
    const forward = (kind: 'out' | 'metrics') => (chunk: Buffer) => {
      // A slow line holds the boot file's output back rather than buffering it without end.
      if (!this.send({ t: kind, d: chunk.toString('base64') })) this.pauseOutput();
    };
    this.started = startNodeProcess(launch, { output: forward('out'), metrics: forward('metrics') });
    if (this.signalled) this.started.signal(this.signalled);
    this.send({ t: 'started', pid: this.started.pid });
    return this.started.exited;
  }

  /** The work is over: `done` said, and the runner's exit code (the boot file's, 128 + a signal's number). */
  private end(exit: WorkerEnd): number {
    if (!this.started) this.send({ t: 'exit', exit });
    this.finished = true;
    this.send({ t: 'done' });
    return exit.code ?? 128 + (exit.signal ? os.constants.signals[exit.signal] : os.constants.signals.SIGTERM);
  }

  private pauseOutput(): void {
    const child = this.started?.child;
    if (!child) return;
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    streams.forEach((s) => s.pause());
    this.channel.once('drain', () => streams.forEach((s) => s.resume()));
  }
}
