/**
 * Service instances as Slurm jobs (EXECUTOR=slurm): one job per instance, sized by the
 * service's specification, on whichever node Slurm picks — except nodes that lost an instance
 * a moment ago, which Slurm itself may not have noticed yet.
 */
import type { SlurmCluster } from '../../kernel/cluster/slurm-cluster';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import type { InstanceOptions } from '../instance/protocol';
import type { InstanceLauncher, InstanceLink } from '../manager/instance-link';
import { SlurmLink } from './slurm-link';

/** How long a node that lost an instance is avoided by new ones. */
const AVOID_MS = 60_000;

export class SlurmLauncher implements InstanceLauncher {
  readonly where: string;
  private readonly suspects = new Map<string, number>();

  /** `nodeObs`: the object store as the nodes reach it, with the keys to fetch model packages. */
  constructor(
    private readonly cluster: SlurmCluster,
    private readonly nodeObs: () => ObsAccess,
  ) {
    this.where = cluster.settings.partition ? `Slurm partition ${cluster.settings.partition}` : 'the Slurm cluster';
  }

  link(id: string, options: InstanceOptions, env: NodeJS.ProcessEnv): InstanceLink {
    return new SlurmLink(id, options, env, {
      cluster: this.cluster,
      obs: this.nodeObs(),
      avoid: () => this.avoided(),
      suspect: (node) => this.suspects.set(node, Date.now() + AVOID_MS),
    });
  }

  private avoided(): string[] {
    const now = Date.now();
    for (const [node, until] of this.suspects) if (until <= now) this.suspects.delete(node);
    return [...this.suspects.keys()];
  }
}
