/**
 * The platform's Slurm cluster as training jobs and service instances use it: a Slurm job
 * runs one of the platform's entry points on each of its nodes (the runner, which needs only
 * Node.js and this installation on the node), and each runner connects back through a launch
 * (channel-hub.ts) to hear what to do. One squeue watches every job (job-watch.ts).
 */
import { ChannelHub, type OpenLaunch } from './channel-hub';
import type { Channel } from './channel';
import { JobWatch } from './job-watch';
import { encodeLinkInfo, NODE_LINK_VARIABLE } from './node-link';
import type { NodeResources } from './resources';
import { slurm, type SlurmJob, type SubmitRequest } from './slurm';

export interface ClusterSettings {
  partition?: string;
  /** The control plane as nodes reach it (known once the platform listens). */
  platformUrl(): Promise<string>;
  /** Where the platform is installed on every node (its dist/ and node_modules/). */
  installDir: string;
  /** Node.js on the nodes. */
  nodeBin: string;
  /** A folder of the nodes' own for workspaces, model copies and the runners' output. */
  workDir: string;
  /** A node silent this long is taken as lost. */
  silenceMs: number;
}

/** The Slurm commands the cluster is driven with (replaced only to say why they failed). */
export interface SlurmCommands {
  submit(req: SubmitRequest): Promise<string>;
  cancel(id: string, signal?: NodeJS.Signals): Promise<void>;
  jobs(): Promise<Map<string, SlurmJob>>;
}

export interface LaunchRequest {
  /** The Slurm job's name (squeue shows it). */
  name: string;
  nodes: number;
  resources: NodeResources;
  /** Where the resources come from, for an error that says so ("flavor modelarts.vm.cpu.2u"). */
  sizedBy: string;
  exclude?: string[];
  /** The entry point each node runs, inside dist/ (jobs/nodes/slurm/node-main.js …). */
  entry: string;
  onChannel(channel: Channel): void;
}

export interface Launched {
  jobId: string;
  launch: OpenLaunch;
  /** Where the runners' own output goes on each node (%j: the job id). */
  outputFile: string;
}

export class SlurmCluster {
  readonly hub: ChannelHub;
  readonly watch: JobWatch;

  constructor(
    readonly settings: ClusterSettings,
    private readonly commands: SlurmCommands = slurm,
  ) {
    this.hub = new ChannelHub(settings.silenceMs);
    this.watch = new JobWatch(() => commands.jobs());
  }

  /** Submits the job; its nodes connect through the returned launch, which the caller closes. */
  async launch(req: LaunchRequest): Promise<Launched> {
    const launch = this.hub.open(req.onChannel);
    const { installDir, nodeBin, workDir, silenceMs, partition } = this.settings;
    try {
      const link = encodeLinkInfo({ url: await this.settings.platformUrl(), launch: launch.launch, secret: launch.secret, silenceMs });
      const runner = `${quote(nodeBin)} ${quote(`${installDir}/dist/${req.entry}`)}`;
      const outputFile = `${workDir}/slurm-%j.out`;
      const script = [
        '#!/bin/sh',
        `# ${req.name}: started by ModelArts Local; the runner on each node connects back to the platform.`,
        `mkdir -p ${quote(workDir)}`,
        // One runner per node: srun starts them (one task per node); with one node the script is the runner.
        `exec ${req.nodes > 1 ? 'srun --kill-on-bad-exit=0 ' : ''}${runner} >>${quote(workDir)}/slurm-"$SLURM_JOB_ID".out 2>&1`,
        '',
      ].join('\n');
      const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8', [NODE_LINK_VARIABLE]: link };
      const jobId = await this.commands.submit({ name: req.name, nodes: req.nodes, cpus: req.resources.cpus, memoryMb: req.resources.memoryMb, partition, exclude: req.exclude, env, script, output: '/dev/null' }).catch((err: Error) => {
        throw unsatisfiable(err, req, partition);
      });
      return { jobId, launch, outputFile: outputFile.replace('%j', jobId) };
    } catch (err) {
      launch.close();
      throw err;
    }
  }

  cancel(jobId: string, signal?: NodeJS.Signals): Promise<void> {
    return this.commands.cancel(jobId, signal);
  }

  /** What Slurm says of a job now; undefined once it no longer knows it. */
  async job(jobId: string): Promise<SlurmJob | undefined> {
    return (await this.commands.jobs()).get(jobId);
  }
}

/** sbatch's refusal of what no node offers, said in the request's terms. */
function unsatisfiable(err: Error, req: LaunchRequest, partition: string | undefined): Error {
  if (!/node configuration is not available|can not be satisfied|more processors requested than permitted|node count specification invalid/i.test(err.message)) return err;
  const nodes = req.nodes > 1 ? `${req.nodes} nodes that each offer` : 'node that offers';
  const avoided = req.exclude?.length ? ` (besides ${req.exclude.join(', ')}, which lost an instance a moment ago)` : '';
  return new Error(`the Slurm cluster${partition ? `'s partition ${partition}` : ''} has no ${nodes} ${req.resources.cpus} CPUs and ${req.resources.memoryMb} MiB${avoided}, as ${req.sizedBy} asks; pick a smaller one, or give the nodes more (slurm.conf). Slurm said: ${err.message}`, { cause: err });
}

/** A word for sh: single quotes, with any single quote in it closed, escaped and reopened. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
