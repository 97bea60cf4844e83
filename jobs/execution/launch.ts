import type { TaskStatus } from '../job-record';
import type { NodeExecutor, StartedNode } from '../nodes/executor';
import { nodeLaunches, type ContractInput, type NodeAddress } from '../nodes/node-contract';
import { WorkerSet, type WorkerOutcome } from '../nodes/worker-set';
import type { MetricsSink } from './metrics';
import type { TaskLogs } from './task-logs';

export interface LaunchSpec extends Omit<ContractInput, 'addresses'> {
  executor: NodeExecutor;
  /** How long a worker stopped because another failed gets between SIGTERM and SIGKILL. */
  stopGraceMs: number;
}

export interface Launched {
  tasks: TaskStatus[];
  /** Resolves when every worker has exited: the first failure decides, the others are stopped. */
  done: Promise<WorkerOutcome>;
  signal(sig: NodeJS.Signals): void;
}

/** Starts the boot file once per node (node_count), each where the executor puts it. */
export async function launch(spec: LaunchSpec, logs: TaskLogs, metrics: MetricsSink): Promise<Launched> {
  const addresses = await spec.executor.reserve(spec.job.resource.node_count);
  const nodes = nodeLaunches({ ...spec, addresses });
  const started: StartedNode[] = [];
  try {
    for (const node of nodes) started.push(spec.executor.start(node, { output: logs.writer(node.task), metrics: (c) => metrics.feed(c) }));
  } catch (err) {
    for (const s of started) s.signal('SIGKILL');
    spec.executor.release(addresses);
    throw err;
  }
  const set = new WorkerSet(nodes.map((n) => n.task));
  const done = watch(spec, started, set, logs, addresses);
  return {
    tasks: nodes.map((n, i) => ({ task: n.task, host: n.host, pid: started[i].pid })),
    done,
    signal: (sig) => started.forEach((s) => s.signal(sig)),
  };
}

async function watch(spec: LaunchSpec, started: StartedNode[], set: WorkerSet, logs: TaskLogs, addresses: NodeAddress[]): Promise<WorkerOutcome> {
  const timers: NodeJS.Timeout[] = [];
  await Promise.all(
    started.map(async (node, index) => {
      const exit = await node.exited;
      const stop = set.exited(index, exit);
      if (!stop.length) return;
      logs.note(`worker-${index} ${exit.reason}: stopping ${stop.join(', ')} (SIGTERM, SIGKILL after ${spec.stopGraceMs} ms)`);
      for (const task of stop) {
        const other = started[Number(task.split('-').pop())];
        other.signal('SIGTERM');
        timers.push(setTimeout(() => other.signal('SIGKILL'), spec.stopGraceMs));
      }
    }),
  );
  timers.forEach(clearTimeout);
  spec.executor.release(addresses);
  return set.outcome();
}
