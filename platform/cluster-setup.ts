/**
 * Where jobs and service instances run, chosen once: this machine's processes (EXECUTOR=local,
 * the default), or a Slurm cluster (EXECUTOR=slurm), whose nodes reach the control plane at
 * CLUSTER_ADDRESS and the object store at its address for them. The areas get an executor and
 * a launcher and never learn which.
 */
import type { PlatformContext } from '../kernel/context';
import { SlurmCluster } from '../kernel/cluster/slurm-cluster';
import { slurm } from '../kernel/cluster/slurm';
import type { ObsAccess } from '../kernel/storage/obs-env';
import { log } from '../kernel/log';
import type { NodeExecutor } from '../jobs/nodes/executor';
import { LocalExecutor } from '../jobs/nodes/local-executor';
import { SlurmExecutor } from '../jobs/nodes/slurm/slurm-executor';
import type { InstanceLauncher } from '../services/manager/instance-link';
import { SlurmLauncher } from '../services/cluster/slurm-launcher';

export interface Executors {
  jobs: NodeExecutor;
  /** Undefined: instances run on this machine (the service manager's default). */
  instances?: InstanceLauncher;
  cluster?: SlurmCluster;
  /** Tells the cluster's nodes where the control plane listens, once it does. */
  listening(port: number): void;
}

export async function chooseExecutors(context: PlatformContext, runtimeModules: string): Promise<Executors> {
  const { config } = context;
  const c = config.cluster;
  if (c.executor === 'local') {
    return { jobs: new LocalExecutor({ dataDir: config.dataDir, store: context.store, runtimeModules }), listening: () => undefined };
  }
  const nodes = await slurm.nodes(c.partition).catch((err: Error) => {
    throw new Error(`EXECUTOR=slurm, but the Slurm cluster cannot be reached from here: ${err.message}`, { cause: err });
  });
  log.info(`training jobs and service instances run on Slurm${c.partition ? ` partition ${c.partition}` : ''}: ${nodes.map((n) => `${n.name} (${n.state})`).join(', ')}`);
  let port!: (port: number) => void;
  const listened = new Promise<number>((resolve) => (port = resolve));
  const address = c.address!.includes(':') ? `[${c.address}]` : c.address!;
  const cluster = new SlurmCluster({
    partition: c.partition,
    platformUrl: async () => `http://${address}:${await listened}`,
    installDir: c.installDir,
    nodeBin: c.nodeBin,
    workDir: c.workDir,
    silenceMs: c.silenceMs,
  });
  // The embedded store listens where the control plane does; the nodes reach it at CLUSTER_ADDRESS.
  const obsEndpoint = c.obsEndpoint ?? `http://${address}:${new URL(context.storageEndpoint).port}`;
  const nodeObs = (): ObsAccess => ({ ...config.obs, endpoint: obsEndpoint });
  return {
    jobs: new SlurmExecutor(cluster, () => obsEndpoint),
    instances: new SlurmLauncher(cluster, nodeObs),
    cluster,
    listening: port,
  };
}
