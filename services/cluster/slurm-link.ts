/**
 * An instance on a Slurm cluster (EXECUTOR=slurm), as the platform holds it: a one-node
 * Slurm job whose runner (host-main.js) connects back, fetches the model and starts the
 * instance on its node. Its messages travel over the line, connections to the service's
 * ports through the relay; the gateway reaches its own port at the node's address. When the
 * node stops answering or Slurm ends the job, the instance is lost: its relays are cut at
 * once, and the deployer starts it again elsewhere (the node is avoided for a while).
 */
import type net from 'node:net';
import type { Channel } from '../../kernel/cluster/channel';
import { flavorResources } from '../../kernel/cluster/resources';
import { ACTIVE_STATES, describeJob, type SlurmJob } from '../../kernel/cluster/slurm';
import type { Launched, SlurmCluster } from '../../kernel/cluster/slurm-cluster';
import { StartError, type ExitInfo } from '../../kernel/process/supervise';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import { dropLogged } from '../../kernel/util/drop';
import type { ConnectionMessage, InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';
import type { InstanceLink } from '../manager/instance-link';
import type { HostFrame, HostHello, PlatformToHost } from './host-frames';
import { relayTo } from './relay';

/** After Slurm says the job ended, the host's last frames may still be on their way. */
const LAST_FRAMES_MS = 2000;

export interface SlurmLinkDeps {
  cluster: SlurmCluster;
  /** The object store as the nodes reach it, with the keys to fetch model packages. */
  obs: ObsAccess;
  /** Nodes to avoid (they lost an instance a moment ago), and the report of one more. */
  avoid(): string[];
  suspect(node: string): void;
}

export class SlurmLink implements InstanceLink {
  readonly sharesSockets = false;
  private launched?: Launched;
  private channel?: Channel;
  private hello?: HostHello;
  private ready = false;
  private lastJob?: SlurmJob;
  private unwatch?: () => void;
  private readonly relays = new Set<net.Socket>();
  private endWith!: (exit: ExitInfo) => void;
  private readonly ended: Promise<ExitInfo>;
  private isOver = false;
  /** Settles the start: the instance's ready info, or why it did not start (resolved either way: never an unheard rejection). */
  private starting?: (result: InstanceReady | StartError) => void;
  private onMessage: (m: InstanceMessage) => void = () => undefined;

  constructor(
    private readonly id: string,
    private readonly options: InstanceOptions,
    private readonly env: NodeJS.ProcessEnv,
    private readonly deps: SlurmLinkDeps,
  ) {
    this.ended = new Promise((resolve) => (this.endWith = resolve));
  }

  get host(): string {
    return this.hello?.host ?? '';
  }

  get node(): string | undefined {
    return this.hello?.node;
  }

  get connected(): boolean {
    return this.ready && !this.isOver && !!this.channel?.open;
  }

  async start(startTimeoutMs: number, onMessage: (message: InstanceMessage) => void): Promise<InstanceReady> {
    this.onMessage = onMessage;
    const ready = new Promise<InstanceReady | StartError>((resolve) => (this.starting = resolve));
    this.launched = await this.deps.cluster.launch({
      name: `modelarts-${this.options.serviceName}-${this.id}`,
      nodes: 1,
      resources: flavorResources(this.options.specification),
      sizedBy: `specification ${this.options.specification}`,
      exclude: this.deps.avoid(),
      entry: 'services/cluster/host-main.js',
      onChannel: (channel) => void this.connect(channel, startTimeoutMs),
    });
    this.unwatch = this.deps.cluster.watch.watch(this.launched.jobId, (job) => this.slurmSaid(job));
    const timer = setTimeout(() => this.failStart(`instance ${this.id} did not start within ${startTimeoutMs} ms${this.lastJob ? `: ${describeJob(this.lastJob)}` : ''}`), startTimeoutMs);
    const result = await ready;
    clearTimeout(timer);
    if (!(result instanceof StartError)) return result;
    this.over({ code: null, signal: null, reason: result.message });
    throw result;
  }

  exited(): Promise<ExitInfo> {
    return this.ended;
  }

  send(message: ParentMessage): boolean {
    return this.connected && this.tell({ t: 'ipc', m: message });
  }

  pass(socket: net.Socket, message: ConnectionMessage, sent: () => void): boolean {
    // A connection the gateway would pass goes through its proxy instead (false): only the service's ports are relayed.
    if (!this.connected || message.type === 'gateway-connection' || !this.hello) return false;
    const upstream = relayTo({ host: this.hello.host, port: this.hello.relayPort }, { kind: message.type, key: this.launched!.launch.secret }, socket, () => {
      this.relays.delete(upstream);
      sent();
    });
    this.relays.add(upstream);
    return true;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.isOver) return;
    const told = this.tell({ t: 'signal', sig });
    if ((sig === 'SIGKILL' || !told) && this.launched) void dropLogged(this.deps.cluster.cancel(this.launched.jobId), `cancelling Slurm job ${this.launched.jobId}`);
  }

  private tell(frame: PlatformToHost): boolean {
    return !!this.channel?.send(frame);
  }

  private async connect(channel: Channel, startTimeoutMs: number): Promise<void> {
    let hello: HostHello;
    try {
      hello = await channel.next<HostHello>('hello', startTimeoutMs);
    } catch (err) {
      return channel.close((err as Error).message);
    }
    if (this.channel) return channel.close('the instance has its host already');
    this.channel = channel;
    this.hello = hello;
    channel.on('frame', (f) => this.onFrame(f as HostFrame));
    channel.on('close', (reason) => this.lineClosed(reason));
    this.tell({ t: 'start', options: this.options, env: this.env as Record<string, string>, obs: this.deps.obs, workDir: this.deps.cluster.settings.workDir, startTimeoutMs });
  }

  private onFrame(frame: HostFrame): void {
    if (frame.t === 'ready') {
      this.ready = true;
      this.starting?.(frame.info);
    } else if (frame.t === 'fatal') this.failStart(`${frame.message} (on node ${this.hello?.node})`);
    else if (frame.t === 'ipc') this.onMessage(frame.m);
    else if (frame.t === 'exit') this.over(frame.exit);
  }

  private lineClosed(reason: string): void {
    if (this.isOver) return;
    const where = `node ${this.hello?.node} (${this.hello?.host})`;
    if (!this.ready) return this.failStart(`the instance's host on ${where} went away before the instance was ready: ${reason}`);
    // A line that went silent means the node or its link failed: new instances avoid the node for a while.
    if (/nothing was heard/.test(reason) && this.hello) this.deps.suspect(this.hello.node);
    this.over({ code: null, signal: null, reason: `was lost with its ${where}: ${reason}` });
  }

  private slurmSaid(job: SlurmJob): void {
    this.lastJob = job;
    if (ACTIVE_STATES.has(job.state)) return;
    const said = describeJob(job).replace(' is ', ' ended as ');
    if (!this.ready) return this.failStart(`${said} before the instance was ready; its host's output is in ${this.launched?.outputFile} on ${job.nodes || 'its node'}`);
    setTimeout(() => this.over({ code: null, signal: null, reason: `was lost: ${said}` }), LAST_FRAMES_MS);
  }

  private failStart(message: string): void {
    this.starting?.(new StartError(message));
  }

  /** The instance has ended, however: its relays are cut, its line closed, what is left of its Slurm job cancelled. */
  private over(exit: ExitInfo): void {
    if (this.isOver) return;
    this.isOver = true;
    for (const r of this.relays) r.destroy();
    this.unwatch?.();
    this.launched?.launch.close();
    this.channel?.close('the instance has ended');
    const active = !this.lastJob || ACTIVE_STATES.has(this.lastJob.state);
    if (this.launched && active) void dropLogged(this.deps.cluster.cancel(this.launched.jobId), `cancelling Slurm job ${this.launched.jobId}`);
    this.endWith(exit);
  }
}
