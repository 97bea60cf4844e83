/**
 * The default executor: every node of a version is a process group on this machine, in the
 * version's one workspace (work/<job>/<version>/ under the data directory), each with its own
 * loopback address (127.0.0.11, 127.0.0.12 … for the first run; concurrent runs get other blocks), so
 * `MASTER_ADDR` taken from VC_WORKER_HOSTS works unchanged, and a port reserved on it.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { ObjectStore } from '../../kernel/storage/object-store';
import { dropLogged, ifErrnoSync, logDropped } from '../../kernel/util/drop';
import type { JobVersion } from '../job-record';
import { removeWorkspace, workspaceFor } from '../execution/workspace';
import type { Execution, NodeExecutor, RunReport, StartedNode, VersionPlan } from './executor';
import { nodeLaunches, type NodeAddress } from './node-contract';
import { prepareNode, uploadOutputs } from './node-preparation';
import { startNodeProcess } from './node-process';
import { superviseWorkers } from './supervise-workers';
import type { WorkerOutcome } from './worker-set';

/** The last octet of a run's first node, as ModelArts-style hosts are counted from .11. */
const FIRST_HOST = 11;
/** Nodes per block of addresses (127.0.<block>.11 … .<11 + this - 1>). */
const MAX_LOCAL_NODES = 200;
const BLOCKS = 256;

export interface LocalExecutorDeps {
  dataDir: string;
  store: ObjectStore;
  runtimeModules: string;
}

export class LocalExecutor implements NodeExecutor {
  private readonly usedBlocks = new Set<number>();

  constructor(private readonly deps: LocalExecutorDeps) {}

  execute(plan: VersionPlan, report: RunReport): Execution {
    const state: { stopped: boolean; started: StartedNode[] } = { stopped: false, started: [] };
    return {
      done: this.run(plan, report, state),
      signal: (sig) => {
        state.stopped = true;
        for (const s of state.started) s.signal(sig);
      },
    };
  }

  private async run(plan: VersionPlan, report: RunReport, state: { stopped: boolean; started: StartedNode[] }): Promise<WorkerOutcome> {
    const { job, version } = plan;
    const ws = workspaceFor(this.deps.dataDir, job, version.version);
    try {
      await report.stage('downloading');
      const python = await prepareNode({ store: this.deps.store, job, version, ws, runtimeModules: this.deps.runtimeModules, python: plan.python }, report);
      if (state.stopped) return { exit: { code: null, signal: null, reason: 'stopped before it started' }, stopped: [], workers: [] };
      await report.stage('running');
      const addresses = await this.reserve(job.resource.node_count);
      const nodes = nodeLaunches({ job, version, ws, obs: plan.obs, compute: plan.compute, python, addresses });
      try {
        for (const node of nodes) state.started.push(startNodeProcess(node, { output: report.output(node.task), metrics: (c) => report.metrics(c) }));
      } catch (err) {
        for (const s of state.started) s.signal('SIGKILL');
        throw err;
      }
      if (state.stopped) for (const s of state.started) s.signal('SIGTERM');
      await report.started(nodes.map((n, i) => ({ task: n.task, host: n.host, pid: state.started[i].pid })), ws.root);
      const tasks = nodes.map((n) => n.task);
      const outcome = await superviseWorkers(state.started, tasks, plan.stopGraceMs, (line) => report.note(line)).finally(() => this.release(addresses));
      report.exited(outcome);
      await report.stage('uploading');
      await uploadOutputs(this.deps.store, version, ws, (line) => report.note(line));
      return outcome;
    } finally {
      await dropLogged(removeWorkspace(ws), `removing the work dir of job ${job.id} ${version.version}`);
    }
  }

  async abandon(v: JobVersion): Promise<string | undefined> {
    const killed = (v.pids ?? []).filter((pid) => killLeftover(pid, v.work_dir));
    if (!killed.length) return undefined;
    return `its leftover process${killed.length > 1 ? 'es were' : ' was'} killed`;
  }

  private async reserve(count: number): Promise<NodeAddress[]> {
    if (count > MAX_LOCAL_NODES) throw new Error(`at most ${MAX_LOCAL_NODES} nodes run on this machine; node_count is ${count}`);
    let block = 0;
    while (this.usedBlocks.has(block)) block++;
    if (block >= BLOCKS) throw new Error(`${BLOCKS} jobs already run several nodes each; wait for one to end`);
    this.usedBlocks.add(block);
    const hosts = Array.from({ length: count }, (_, i) => `127.0.${block}.${FIRST_HOST + i}`);
    try {
      return await Promise.all(hosts.map(async (host) => ({ host, port: await freePort(host) })));
    } catch (err) {
      this.usedBlocks.delete(block);
      throw err;
    }
  }

  private release(addresses: NodeAddress[]): void {
    this.usedBlocks.delete(Number(addresses[0]?.host.split('.')[2]));
  }
}

/** A port nothing listens on now at `host`, for the node to use as it likes (BATCH_*_HOSTS). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) => reject(new Error(`no port could be reserved on ${host}: ${err.message}`)));
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Kills the process group of `pid` if that process is still one of this version's. */
function killLeftover(pid: number, workDir: string | undefined): boolean {
  if (!workDir) return false;
  try {
    // No such file: the process is gone. A reused pid belongs to someone else: only a command line naming our work dir is ours.
    const cmdline = ifErrnoSync(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    if (!cmdline?.includes(workDir)) return false;
    // ESRCH: the group ended between the read and the kill.
    return ifErrnoSync(() => process.kill(-pid, 'SIGKILL'), ['ESRCH']) ?? false;
  } catch (err) {
    return logDropped(`killing the leftover process ${pid}`, err) ?? false;
  }
}
