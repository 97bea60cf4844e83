/**
 * What the cluster bench measures on a platform (local or EXECUTOR=slurm): the time from a
 * job's submission to its boot file's first log line, DDP training throughput, prediction
 * throughput through the gateway, and the requests lost while an instance moves off a node
 * that died. Each figure carries the load average when it was taken (the machine is shared).
 */
import os from 'node:os';
import { parseObsUrl } from '../kernel/storage/obs-url';
import { repoPath } from '../kernel/paths';
import { api, waitFor } from '../test/helpers/http';
import { createJob, waitForJob } from '../test/helpers/jobs';
import { startLoad } from '../test/helpers/load-loop';
import { testDigits } from '../test/helpers/mnist-model';
import type { TestPlatform } from '../test/helpers/platform';
import { deployService } from '../test/helpers/services';
import type { TestCluster } from '../test/helpers/slurm-cluster';
import { loadPhase } from './load';
import { digitUpload } from './predictions';

export const BUCKET = 'bench-cluster';
export const loadAverage = (): number => Math.round(os.loadavg()[0] * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A boot file whose first act is to print a line. */
const FIRST_LINE_BOOT = "console.log('first line from the boot file');\n";

export async function uploadBenchCode(t: TestPlatform): Promise<void> {
  await t.store.ensureBucket(BUCKET);
  await t.store.put(parseObsUrl(`obs://${BUCKET}/first-line/first_line.js`), Buffer.from(FIRST_LINE_BOOT), 'application/javascript');
  await t.store.putFile(parseObsUrl(`obs://${BUCKET}/ddp/ddp_mnist.py`), repoPath('test', 'fixtures', 'boot-files', 'ddp_mnist.py'));
}

/** Milliseconds from POST /training-jobs to the boot file's first line in the followed log (median of `runs`). */
export async function firstLogLineMs(t: TestPlatform, headers: Record<string, string>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = Date.now();
    const name = `first-line-${Date.now()}-${i}`;
    const job = await createJob(t.url, {
      name,
      algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/first-line/`, boot_file: 'first_line.js' },
      // A folder of its own: a job's outputs are not written over another's.
      train_url: `obs://${BUCKET}/out/${name}/`,
    });
    const res = await fetch(`${t.url}/training-jobs/${job.id}/logs?follow=1`, { headers });
    const reader = res.body!.getReader();
    let text = '';
    while (!/^first line from the boot file$/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the job's log ended without its first line:\n${text}`);
      text += Buffer.from(value).toString('utf8');
    }
    times.push(Date.now() - started);
    await reader.cancel();
    await waitForJob(t.url, job.id);
  }
  return median(times);
}

/** The DDP MLP's images/s over `nodes` nodes (test/fixtures/boot-files/ddp_mnist.py times its training loop). */
export async function ddpImagesPerS(t: TestPlatform, nodes: number, samples: number, epochs: number, batch: number): Promise<{ images_per_s: number; cores: number }> {
  const name = `ddp-bench-${nodes}-${batch}-${Date.now()}`;
  const job = await createJob(t.url, {
    name,
    algorithm: {
      engine: 'python',
      code_dir: `obs://${BUCKET}/ddp/`,
      boot_file: 'ddp_mnist.py',
      parameters: [
        { name: 'master_port', value: String(29600 + nodes) },
        { name: 'samples', value: String(samples) },
        { name: 'epochs', value: String(epochs) },
        { name: 'batch', value: String(batch) },
      ],
    },
    data_url: `obs://${BUCKET}/data/`,
    train_url: `obs://${BUCKET}/out/${name}/`,
    resource: { flavor: 'modelarts.vm.cpu.2u', node_count: nodes },
  });
  const done = await waitForJob(t.url, job.id, undefined, undefined, 600_000);
  if (done.status !== 'Completed') throw new Error(`the DDP job on ${nodes} node(s) ended ${done.status}: ${done.versions[0].reason}`);
  const out = await t.store.getBuffer(parseObsUrl(`obs://${BUCKET}/out/${name}/V0001/rank-0.json`), 1e6);
  return JSON.parse(out.toString()) as { images_per_s: number; cores: number };
}

/** Predictions/s through the gateway for a service of `instances` instances of `modelId`. */
export async function gatewayRps(t: TestPlatform, headers: Record<string, string>, modelId: string, instances: number, seconds: number): Promise<{ rps: number; nodes: string[]; p99_ms: number; errors: number }> {
  const service = await deployService(t.url, { name: `bench-${instances}-instances`, model_id: modelId, instance_count: instances });
  if (service.status !== 'running') throw new Error(`the service of ${instances} instance(s) did not start: ${service.reason}`);
  try {
    const figures = await loadPhase(`${t.url}/v1/infers/${service.id}/`, { ...digitUpload(), headers }, 16, seconds);
    return { rps: figures.rps, p99_ms: figures.p99_ms, errors: figures.errors + figures.non_2xx, nodes: service.instances.map((i: any) => i.node ?? 'this machine') };
  } finally {
    await api(t.url, 'DELETE', `/services/${service.id}`);
  }
}

export interface NodeLoss {
  gateway_requests: number;
  gateway_failed: number;
  service_requests: number;
  service_failed: number;
  /** From the node's death to its instance answering again on the other node. */
  moved_ms: number;
}

/** Two instances on two nodes under load through the gateway and the service's address; one node dies. */
export async function requestsLostWhenANodeDies(t: TestPlatform, c: TestCluster, headers: Record<string, string>, modelId: string): Promise<NodeLoss> {
  const service = await deployService(t.url, { name: 'bench-node-loss', model_id: modelId, instance_count: 2 });
  const victim = service.instances[0];
  const load = startLoad({ gateway: `${t.url}/v1/infers/${service.id}/`, service: service.access_address }, testDigits([3])[0].png, { clients: 4, headers, timeoutMs: 30_000 });
  let stopped = false;
  await new Promise((r) => setTimeout(r, 2000));
  const killedAt = Date.now();
  try {
    await c.killNode(Number(victim.node.replace('node', '')));
    await waitFor('the instance to move', async () => {
      const s = (await api(t.url, 'GET', `/services/${service.id}`)).body;
      return s.status === 'running' && s.instances.every((i: any) => i.state === 'ready' && i.id !== victim.id) ? s : undefined;
    }, 120_000);
    const moved = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 2000));
    stopped = true;
    const outcomes = await load.stop();
    const of = (target: string) => outcomes.filter((o) => o.target === target);
    return {
      gateway_requests: of('gateway').length,
      gateway_failed: of('gateway').filter((o) => o.status !== 200).length,
      service_requests: of('service').length,
      service_failed: of('service').filter((o) => o.status !== 200).length,
      moved_ms: moved,
    };
  } finally {
    if (!stopped) await load.stop();
    await c.reviveNode(Number(victim.node.replace('node', '')));
  }
}
