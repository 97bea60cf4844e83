/**
 * `npm run bench -- --only=cluster`: the platform on a real Slurm cluster of two namespace
 * nodes (test/cluster/slurm-cluster.sh, each node's slurmd pinned to a core of its own) side by
 * side with the platform on this machine: submission to first log line, the DDP MLP on two
 * nodes against one, predictions/s of two instances on two nodes against one, and the requests
 * lost while an instance moves off a node that died. Needs root, slurm-wlm, munge, iproute2.
 */
import os from 'node:os';
import { importMnist } from '../test/helpers/services';
import { uploadMnistData } from '../test/helpers/mnist-model';
import { startTestPlatform, tempDir, type TestPlatform } from '../test/helpers/platform';
import { CLUSTER_TOKEN, clusterDown, clusterUnavailable, clusterUp, startClusterPlatform, type TestCluster } from '../test/helpers/slurm-cluster';
import { BUCKET, ddpImagesPerS, firstLogLineMs, gatewayRps, loadAverage, requestsLostWhenANodeDies, uploadBenchCode, type NodeLoss } from './cluster-workloads';

const FIRST_LINE_RUNS = 5;
const DDP_SAMPLES = 20_000;
const DDP_EPOCHS = 2;
/** Small batches: an all-reduce per 64 images; large ones: per 512, where computing weighs more. */
const DDP_BATCHES = [64, 512];

export interface ClusterFigures {
  cores: number;
  pinned: boolean;
  first_log_line_ms?: { local: number; slurm: number; load_average: number };
  ddp?: { batch: number; one_node_images_per_s: number; two_nodes_images_per_s: number; cores_per_rank: number; samples: number; epochs: number; load_average: number }[];
  predictions?: { one_instance_rps: number; two_instances_rps: number; nodes: string[]; seconds: number; load_average: number };
  node_loss?: NodeLoss & { load_average: number };
  error?: string;
}

export async function benchCluster(seconds: number, say: (line: string) => void): Promise<ClusterFigures> {
  const figures: ClusterFigures = { cores: os.availableParallelism(), pinned: true };
  const why = clusterUnavailable();
  if (why) return { ...figures, error: why };
  const dir = await tempDir('bench-slurm');
  say('cluster: two slurmd in network namespaces, pinned to cores 0 and 1');
  const cluster = await clusterUp(dir, { pin: true });
  try {
    await measure(cluster, figures, seconds, say);
  } catch (err) {
    figures.error = (err as Error).message.split('\n')[0];
  } finally {
    clusterDown(dir);
  }
  return figures;
}

async function measure(cluster: TestCluster, figures: ClusterFigures, seconds: number, say: (line: string) => void): Promise<void> {
  const headers = { 'X-Auth-Token': CLUSTER_TOKEN };
  const local = await startTestPlatform();
  let slurm: TestPlatform | undefined;
  try {
    await uploadBenchCode(local);
    say(`cluster: submission to first log line, ${FIRST_LINE_RUNS} jobs on this machine`);
    const onLocal = await firstLogLineMs(local, {}, FIRST_LINE_RUNS);
    await local.close();
    slurm = await startClusterPlatform(cluster);
    await uploadBenchCode(slurm);
    say(`cluster: submission to first log line, ${FIRST_LINE_RUNS} jobs on Slurm`);
    figures.first_log_line_ms = { local: onLocal, slurm: await firstLogLineMs(slurm, headers, FIRST_LINE_RUNS), load_average: loadAverage() };
    await uploadMnistData(slurm.store, `obs://${BUCKET}/data/`);
    figures.ddp = [];
    for (const batch of DDP_BATCHES) {
      say(`cluster: the DDP MLP, ${DDP_SAMPLES} images × ${DDP_EPOCHS} epochs in batches of ${batch}, on one node then two`);
      const one = await ddpImagesPerS(slurm, 1, DDP_SAMPLES, DDP_EPOCHS, batch);
      const two = await ddpImagesPerS(slurm, 2, DDP_SAMPLES, DDP_EPOCHS, batch);
      figures.ddp.push({ batch, one_node_images_per_s: one.images_per_s, two_nodes_images_per_s: two.images_per_s, cores_per_rank: one.cores, samples: DDP_SAMPLES, epochs: DDP_EPOCHS, load_average: loadAverage() });
    }
    const model = await importMnist(slurm, BUCKET, 'bench-mnist');
    say(`cluster: predictions through the gateway, one instance then two (${seconds} s each)`);
    const single = await gatewayRps(slurm, headers, model.id, 1, seconds);
    const double = await gatewayRps(slurm, headers, model.id, 2, seconds);
    figures.predictions = { one_instance_rps: single.rps, two_instances_rps: double.rps, nodes: double.nodes, seconds, load_average: loadAverage() };
    say('cluster: a node dies under load');
    figures.node_loss = { ...(await requestsLostWhenANodeDies(slurm, cluster, headers, model.id)), load_average: loadAverage() };
  } finally {
    await local.close();
    await slurm?.close();
  }
}

const x = (v: number) => `${v.toFixed(2)}x`;

export function clusterRows(f: ClusterFigures): string[][] {
  const rows: string[][] = [['cluster (2 Slurm nodes in namespaces)', 'this machine / 1', 'Slurm / 2', 'ratio', 'load average']];
  if (f.error) return [...rows, ['unavailable', f.error, '', '', '']];
  const r = f.first_log_line_ms;
  if (r) rows.push(['submission to first log line (ms, median)', String(r.local), String(r.slurm), `+${r.slurm - r.local} ms`, String(r.load_average)]);
  for (const d of f.ddp ?? []) {
    rows.push([`DDP MLP images/s, batch ${d.batch} (1 node vs 2, ${d.cores_per_rank} core(s) each)`, d.one_node_images_per_s.toFixed(0), d.two_nodes_images_per_s.toFixed(0), x(d.two_nodes_images_per_s / d.one_node_images_per_s), String(d.load_average)]);
  }
  const p = f.predictions;
  if (p) rows.push([`predictions/s via gateway (1 instance vs 2 on ${p.nodes.join(', ')})`, p.one_instance_rps.toFixed(0), p.two_instances_rps.toFixed(0), x(p.two_instances_rps / p.one_instance_rps), String(p.load_average)]);
  const n = f.node_loss;
  if (n) rows.push([`a node dies: lost / sent (moved in ${(n.moved_ms / 1000).toFixed(1)} s)`, `gateway ${n.gateway_failed}/${n.gateway_requests}`, `service ${n.service_failed}/${n.service_requests}`, '', String(n.load_average)]);
  return rows;
}
