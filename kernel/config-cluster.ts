/**
 * EXECUTOR and the CLUSTER_* settings: where training jobs and service instances run (this
 * machine, or a Slurm cluster) and how the cluster's nodes reach the platform. Read by
 * kernel/config.ts with the rest of the settings; docs/configuration.md and docs/cluster.md.
 */
import { ConfigError, isLoopback, type Reader } from './config-reader';
import { repoPath } from './paths';

/** EXECUTOR and the CLUSTER_* settings, as docs/configuration.md and docs/cluster.md say. */
export interface ClusterConfig {
  executor: 'local' | 'slurm';
  partition?: string;
  /** This machine's address for the nodes; the object store's for the nodes (unset: the embedded one there, or OBS_ENDPOINT). */
  address?: string;
  obsEndpoint?: string;
  /** The platform's installation and Node.js on the nodes; their own folder; the silence after which a node is lost. */
  installDir: string;
  nodeBin: string;
  workDir: string;
  silenceMs: number;
}

export function clusterConfig(read: Reader, host: string, obsEndpoint: string | undefined): ClusterConfig {
  const executor = read.pattern('EXECUTOR', 'local', /^(local|slurm)$/, 'local (processes on this machine) or slurm (a Slurm cluster)') as ClusterConfig['executor'];
  const address = read.optionalPattern('CLUSTER_ADDRESS', /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/, "this machine's address as the cluster's nodes reach it, such as 10.0.0.1");
  const cluster: ClusterConfig = {
    executor,
    partition: read.optionalPattern('CLUSTER_PARTITION', /^[A-Za-z0-9_.-]{1,64}$/, 'a Slurm partition name'),
    address,
    obsEndpoint: read.url('CLUSTER_OBS_ENDPOINT') ?? obsEndpoint,
    installDir: read.string('CLUSTER_INSTALL_DIR', repoPath()),
    nodeBin: read.string('CLUSTER_NODE_BIN', process.execPath),
    workDir: read.pattern('CLUSTER_WORK_DIR', '/tmp/modelarts-local', /^\/[^,'"\s]*$/, 'an absolute folder path (no spaces, quotes or commas)'),
    silenceMs: read.integer('CLUSTER_SILENCE_MS', 15_000, 1000, 600_000),
  };
  if (executor !== 'slurm') return cluster;
  if (!address || isLoopback(address)) throw new ConfigError('CLUSTER_ADDRESS', "this machine's address as the cluster's nodes reach it (not loopback), required with EXECUTOR=slurm", address ?? '');
  if (host !== '0.0.0.0' && host !== '::' && host !== address) throw new ConfigError('HOST', `0.0.0.0 or CLUSTER_ADDRESS (${address}) with EXECUTOR=slurm: the nodes must reach the control plane`, host);
  const nodeObs = cluster.obsEndpoint && new URL(cluster.obsEndpoint).hostname;
  if (nodeObs && isLoopback(nodeObs)) throw new ConfigError('CLUSTER_OBS_ENDPOINT', 'the object store as the nodes reach it: not a loopback address', cluster.obsEndpoint!);
  return cluster;
}
