/**
 * Training jobs on a Slurm cluster (EXECUTOR=slurm): each version is a batch job whose nodes
 * run the platform's runner (node-main.js), which does the node's work there and reports back
 * (slurm-run.ts). The nodes reach the object store at its address for the cluster.
 */
import type { SlurmCluster } from '../../../kernel/cluster/slurm-cluster';
import type { ObsAccess } from '../../../kernel/storage/obs-env';
import { ACTIVE_STATES } from '../../../kernel/cluster/slurm';
import { dropLogged } from '../../../kernel/util/drop';
import type { JobVersion } from '../../job-record';
import type { Execution, NodeExecutor, RunReport, VersionPlan } from '../executor';
import { SlurmRun } from './slurm-run';

export class SlurmExecutor implements NodeExecutor {
  /** `nodeObsEndpoint`: the object store's endpoint as the nodes reach it. */
  constructor(
    private readonly cluster: SlurmCluster,
    private readonly nodeObsEndpoint: () => string,
  ) {}

  execute(plan: VersionPlan, report: RunReport): Execution {
    const obs: ObsAccess = { ...plan.obs, endpoint: this.nodeObsEndpoint() };
    const run = new SlurmRun(this.cluster, plan, report, obs);
    return { done: run.run(), signal: (sig) => run.signal(sig) };
  }

  async abandon(v: JobVersion): Promise<string | undefined> {
    if (!v.cluster) return undefined;
    const id = v.cluster.job_id;
    // Its runners end with their line to the platform; a job Slurm has not finished yet is cancelled.
    const job = await dropLogged(this.cluster.job(id), `asking Slurm for job ${id}`);
    if (job && !ACTIVE_STATES.has(job.state)) return `its Slurm job ${id} had ended (${job.state})`;
    await dropLogged(this.cluster.cancel(id), `cancelling Slurm job ${id} after a restart`);
    return `its Slurm job ${id} was cancelled`;
  }
}
