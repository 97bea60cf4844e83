/**
 * Slurm through its own commands (sbatch, scancel, squeue, sinfo), as any submit host uses it:
 * they find the cluster through SLURM_CONF or /etc/slurm and authenticate with munge. The
 * platform passes nothing of its own environment to a job but what `env` names: sbatch runs
 * with that environment alone and exports all of it (a list in --export would make Slurm load
 * the user's login environment on the node first, which costs a second or more per job).
 */
import { spawn } from 'node:child_process';

export interface SubmitRequest {
  name: string;
  nodes: number;
  /** CPUs on each node (one task per node). */
  cpus: number;
  /** Memory on each node, in MiB. */
  memoryMb: number;
  partition?: string;
  /** Nodes not to use (ones that lost a runner a moment ago). */
  exclude?: string[];
  /** The only variables the job gets (besides Slurm's own SLURM_*). */
  env: Record<string, string>;
  /** The batch script's text. */
  script: string;
  /** Where the batch script's own output goes, on the node that runs it (%j: the job id). */
  output: string;
}

/** A job as squeue shows it. */
export interface SlurmJob {
  id: string;
  /** PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, NODE_FAIL, TIMEOUT, OUT_OF_MEMORY … */
  state: string;
  /** Why it waits or ended (Resources, Priority, NodeDown, NonZeroExitCode …); "None" for none. */
  reason: string;
  /** The nodes it has, in Slurm's notation (node[1-2]). */
  nodes: string;
  /** The batch script's exit: code and signal. */
  exitCode: number;
  exitSignal: number;
}

export class SlurmError extends Error {}

interface Output {
  stdout: string;
  stderr: string;
}

const COMMAND_TIMEOUT_MS = 30_000;

function run(command: string, args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', (err) => reject(new SlurmError(`${command} could not be run (${err.message}): install Slurm's client commands (Debian: slurm-client) on this machine`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve({ stdout, stderr });
      const said = stderr.trim().split('\n').slice(-3).join('; ') || `exited with ${code ?? signal}`;
      reject(new SlurmError(`${command} ${args[0] ?? ''} failed: ${said}`));
    });
    // A command that fails before it has read its input closes the pipe: its exit says why, not the EPIPE.
    child.stdin?.on('error', (err: NodeJS.ErrnoException) => err.code === 'EPIPE' || reject(err));
    child.stdin?.end(input);
  });
}

export function submitArgs(req: SubmitRequest): string[] {
  return [
    '--parsable',
    `--job-name=${req.name}`,
    `--nodes=${req.nodes}`,
    '--ntasks-per-node=1',
    `--cpus-per-task=${req.cpus}`,
    `--mem=${req.memoryMb}M`,
    // A job whose node fails ends NODE_FAIL here instead of starting again by itself: the platform decides.
    '--no-requeue',
    `--output=${req.output}`,
    '--export=ALL',
    ...(req.partition ? [`--partition=${req.partition}`] : []),
    ...(req.exclude?.length ? [`--exclude=${req.exclude.join(',')}`] : []),
  ];
}

export const slurm = {
  /** Submits a batch job; resolves with its id. */
  async submit(req: SubmitRequest): Promise<string> {
    // Slurm's own settings pass (SLURM_CONF, and SBATCH_* should the machine set any); nothing else of the platform's.
    const own = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(SLURM_CONF$|SBATCH_)/.test(name)));
    const { stdout } = await run('sbatch', submitArgs(req), req.script, { ...own, ...req.env });
    const id = stdout.trim().split(';')[0];
    if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch answered ${JSON.stringify(stdout.trim())} instead of a job id`);
    return id;
  },

  /** Cancels a job, or sends its processes a signal (every step, the batch script included). */
  async cancel(id: string, signal?: NodeJS.Signals): Promise<void> {
    await run('scancel', [...(signal ? [`--signal=${signal.replace(/^SIG/, '')}`, '--full'] : []), id]);
  },

  /** Every job the controller still knows (finished ones for MinJobAge seconds). */
  async jobs(): Promise<Map<string, SlurmJob>> {
    const { stdout } = await run('squeue', ['--json', '--states=all']);
    const parsed = JSON.parse(stdout) as { jobs?: Record<string, unknown>[] };
    return new Map((parsed.jobs ?? []).map((j) => [String(j.job_id), jobOf(j)]));
  },

  /** The partitions and their nodes' states, for /health and start-up: throws when the cluster cannot be reached. */
  async nodes(partition?: string): Promise<{ name: string; state: string; partition: string }[]> {
    const { stdout } = await run('sinfo', ['--noheader', '--Node', '--format=%N|%t|%R', ...(partition ? [`--partition=${partition}`] : [])]);
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, state, part] = line.split('|');
        return { name, state, partition: part };
      });
  },
};

function jobOf(j: Record<string, unknown>): SlurmJob {
  const status = Number(j.exit_code ?? 0);
  return {
    id: String(j.job_id),
    state: String(j.job_state ?? 'UNKNOWN'),
    reason: String(j.state_reason ?? 'None'),
    nodes: String(j.nodes ?? ''),
    exitCode: (status >> 8) & 0xff,
    exitSignal: status & 0x7f,
  };
}

/** States in which the job still runs or will. */
export const ACTIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

/** A job's state in words, with Slurm's reason when it gave one. */
export function describeJob(job: SlurmJob): string {
  const reason = job.reason && job.reason !== 'None' ? ` (${job.reason})` : '';
  return `Slurm job ${job.id} is ${job.state}${reason}`;
}
