/**
 * One version on the cluster: a Slurm batch job of node_count nodes with the flavor's CPUs and
 * memory, one runner per node. Slurm's states drive the version's (PENDING: Pending, with
 * Slurm's reason in the log; RUNNING: Running), the runners' hellos give every node's real
 * address for VC_WORKER_HOSTS, and a node that Slurm ends (NODE_FAIL, a scancel by hand, a time
 * limit) or that stops answering is a lost worker: the version ends Abnormal with the reason.
 */
import type { Channel } from '../../../kernel/cluster/channel';
import { flavorResources } from '../../../kernel/cluster/resources';
import { ACTIVE_STATES, describeJob, type SlurmJob } from '../../../kernel/cluster/slurm';
import type { Launched, SlurmCluster } from '../../../kernel/cluster/slurm-cluster';
import { dropLogged } from '../../../kernel/util/drop';
import { AbnormalEnd, type RunReport, type VersionPlan } from '../executor';
import { taskName } from '../node-contract';
import { superviseWorkers } from '../supervise-workers';
import type { WorkerOutcome } from '../worker-set';
import type { HelloFrame } from './node-frames';
import { RemoteWorker } from './remote-worker';

/** How long the nodes have to reach the platform once Slurm runs the job. */
export const NODE_CONNECT_TIMEOUT_MS = 60_000;
/** After Slurm says the job ended, a runner's last frames may still be on their way. */
const LAST_FRAMES_MS = 2000;
/** How long to wait for Slurm to see the runners' exit before cancelling what is left. */
const SLURM_END_WAIT_MS = 10_000;
/** A job stopped before its nodes came ends this long after its cancel, even if Slurm does not confirm it. */
const STOP_CONFIRM_MS = 10_000;
/** Pending reasons that mean the job can never run as asked: it fails instead of waiting for ever. */
const HOPELESS = new Set(['PartitionConfig', 'PartitionNodeLimit', 'PartitionTimeLimit', 'BadConstraints', 'InvalidAccount', 'InvalidQOS']);

export class SlurmRun {
  private launched?: Launched;
  private readonly workers: (RemoteWorker | undefined)[];
  /** Every node's worker once all have said hello, or why they will not (resolved either way: never an unheard rejection). */
  private gather!: (result: RemoteWorker[] | Error) => void;
  private readonly gathered: Promise<RemoteWorker[] | Error>;
  private running = false;
  private connectTimer?: NodeJS.Timeout;
  private ended?: SlurmJob;
  private endSeen!: () => void;
  private readonly slurmEnded = new Promise<void>((resolve) => (this.endSeen = resolve));
  private stopSignal?: NodeJS.Signals;

  constructor(
    private readonly cluster: SlurmCluster,
    private readonly plan: VersionPlan,
    private readonly report: RunReport,
    private readonly nodeObs: VersionPlan['obs'],
  ) {
    this.workers = Array.from({ length: plan.job.resource.node_count }, () => undefined);
    this.gathered = new Promise((resolve) => (this.gather = resolve));
  }

  async run(): Promise<WorkerOutcome> {
    const { job, version } = this.plan;
    const count = job.resource.node_count;
    const resources = flavorResources(job.resource.flavor);
    this.launched = await this.cluster.launch({
      name: `modelarts-${job.name}-${version.version}`,
      nodes: count,
      resources,
      sizedBy: `flavor ${job.resource.flavor}`,
      entry: 'jobs/nodes/slurm/node-main.js',
      onChannel: (channel) => void this.connected(channel),
    });
    const id = this.launched.jobId;
    try {
      const where = this.cluster.settings.partition ? ` in partition ${this.cluster.settings.partition}` : '';
      this.report.note(`submitted to Slurm as job ${id}${where}: ${count} node${count > 1 ? 's' : ''}, ${resources.cpus} CPUs and ${resources.memoryMb} MiB each`);
      await this.report.placed({ scheduler: 'slurm', job_id: id, state: 'PENDING' });
      this.cluster.watch.watch(id, (j) => this.slurmSaid(j));
      if (this.stopSignal) this.signal(this.stopSignal);
      const workers = await this.gathered;
      if (workers instanceof Error) {
        if (this.stopSignal) return { exit: { code: null, signal: null, reason: 'stopped before it started' }, stopped: [], workers: [] };
        throw workers;
      }
      return await this.work(workers);
    } finally {
      clearTimeout(this.connectTimer);
      this.launched.launch.close();
      await this.settle(id, this.workers.every((w) => w?.done && !w.lost));
    }
  }

  private async work(workers: RemoteWorker[]): Promise<WorkerOutcome> {
    const { job, version, compute, python, stopGraceMs } = this.plan;
    const addresses = workers.map((w) => w.hello.address);
    for (const w of workers) w.send({ t: 'start', job, version, addresses, obs: this.nodeObs, compute, python, workDir: this.cluster.settings.workDir });
    if (this.stopSignal) for (const w of workers) w.signal(this.stopSignal);
    await Promise.all(workers.map((w) => w.underWay));
    await this.report.stage('running');
    await this.report.started(workers.map((w) => ({ task: w.task, host: w.hello.address.host, node: w.hello.node })));
    const outcome = await superviseWorkers(workers, workers.map((w) => w.task), stopGraceMs, (line) => this.report.note(line));
    const unprepared = workers.find((w) => w.prepareError !== undefined);
    if (unprepared) throw new Error(unprepared.prepareError);
    this.report.exited(outcome);
    await this.report.stage('uploading');
    const failed = (await Promise.all(workers.map((w) => w.finished))).find((e) => e !== undefined);
    if (failed) throw new Error(failed);
    return outcome;
  }

  /** Passes a signal to the runners; before they are all there, the Slurm job is cancelled instead. */
  signal(sig: NodeJS.Signals): void {
    this.stopSignal ??= sig;
    const id = this.launched?.jobId;
    const all = this.workers.every((w) => w !== undefined);
    if (all) for (const w of this.workers) w!.signal(sig);
    if (id && (!all || sig === 'SIGKILL')) void dropLogged(this.cluster.cancel(id), `cancelling Slurm job ${id}`);
    if (!all) setTimeout(() => this.gather(new Error(`stopped; Slurm did not confirm the cancel of job ${id} within ${STOP_CONFIRM_MS} ms`)), STOP_CONFIRM_MS).unref();
  }

  /** A runner connected: once it has said who it is, it is the worker of its index. */
  private async connected(channel: Channel): Promise<void> {
    let hello: HelloFrame;
    try {
      hello = await channel.next<HelloFrame>('hello', NODE_CONNECT_TIMEOUT_MS);
    } catch (err) {
      return channel.close((err as Error).message);
    }
    const index = hello.index;
    if (!Number.isInteger(index) || index < 0 || index >= this.workers.length || this.workers[index]) return channel.close(`no node ${index} is expected`);
    this.isRunning();
    const worker = new RemoteWorker(hello, taskName(index), channel, this.report);
    this.workers[index] = worker;
    if (this.ended) this.loseLater(worker);
    if (this.workers.every((w) => w !== undefined)) {
      clearTimeout(this.connectTimer);
      this.gather(this.workers as RemoteWorker[]);
    }
  }

  /** What Slurm says of the job, as it changes. */
  private slurmSaid(job: SlurmJob): void {
    void dropLogged(this.report.placed({ scheduler: 'slurm', job_id: job.id, state: job.state, reason: job.reason === 'None' ? undefined : job.reason, nodes: job.nodes || undefined }), `noting Slurm's state of job ${job.id}`);
    if (job.state === 'PENDING' && job.reason !== 'None') this.report.note(`waiting in Slurm's queue (${job.reason})`);
    if (job.state === 'PENDING' && HOPELESS.has(job.reason)) return this.hopeless(job);
    else if (job.state === 'RUNNING') this.isRunning(job.nodes);
    if (ACTIVE_STATES.has(job.state)) return;
    this.ended = job;
    this.endSeen();
    const why = `Slurm ended job ${job.id} as ${job.state}${job.reason !== 'None' ? ` (${job.reason})` : ''}`;
    this.gather(new AbnormalEnd(`${why} before its nodes reached the platform; the runners' own output is in ${this.launched?.outputFile} on the job's nodes`));
    for (const w of this.workers) if (w) this.loseLater(w);
  }

  /** Slurm runs the job (or a node said hello first): the version is Running, its nodes have a while to connect. */
  private isRunning(nodes?: string): void {
    if (this.running) return;
    this.running = true;
    this.report.note(`Slurm job ${this.launched?.jobId} runs${nodes ? ` on ${nodes}` : ''}`);
    void dropLogged(this.report.stage('downloading'), 'noting that the version runs');
    this.connectTimer = setTimeout(() => this.tooSlow(), NODE_CONNECT_TIMEOUT_MS);
  }

  /** Slurm keeps a job pending that no node can ever take (a cluster that does not refuse those at sbatch). */
  private hopeless(job: SlurmJob): void {
    this.gather(new Error(`Slurm cannot run job ${job.id} as asked (${job.reason}): flavor ${this.plan.job.resource.flavor} asks more than partition ${this.cluster.settings.partition ?? '(the default)'} allows its jobs; pick a smaller one`));
    void dropLogged(this.cluster.cancel(job.id), `cancelling Slurm job ${job.id}`);
  }

  private tooSlow(): void {
    const missing = this.workers.map((w, i) => (w ? undefined : taskName(i))).filter(Boolean);
    const url = this.launched?.outputFile;
    this.gather(new AbnormalEnd(`${missing.join(', ')} did not reach the platform within ${NODE_CONNECT_TIMEOUT_MS} ms of Slurm running the job; the runners' own output is in ${url} on the job's nodes`));
    if (this.launched) void dropLogged(this.cluster.cancel(this.launched.jobId), `cancelling Slurm job ${this.launched.jobId}`);
  }

  /** Slurm ended the job: a worker that has not said how it ended by then is lost. */
  private loseLater(worker: RemoteWorker): void {
    const job = this.ended!;
    setTimeout(() => worker.lose(`${describeJob(job).replace(' is ', ' ended as ')}; ${worker.where} ran it`), LAST_FRAMES_MS);
  }

  /**
   * After the run: when every runner finished, Slurm sees the job end by itself (waited for a
   * little); otherwise (a lost node, a stop, a failure) what is left of the job is cancelled
   * now. The watch goes on until Slurm says the job ended, so the record shows its last state.
   */
  private async settle(id: string, allFinished: boolean): Promise<void> {
    if (allFinished) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, SLURM_END_WAIT_MS).unref());
      await Promise.race([this.slurmEnded, timer]);
    }
    if (!this.ended) await dropLogged(this.cluster.cancel(id), `cancelling Slurm job ${id}`);
  }
}
