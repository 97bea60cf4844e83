/**
 * The default executor: each node is a process group on this machine with its own loopback
 * address (127.0.0.11, 127.0.0.12 … for the first run; concurrent runs get other blocks), so
 * `MASTER_ADDR` taken from VC_WORKER_HOSTS works unchanged, and a port reserved on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { describeExit, type ExitInfo } from '../../kernel/process/supervise';
import { ifErrnoSync } from '../../kernel/util/drop';
import type { NodeExecutor, NodeSinks, StartedNode } from './executor';
import { METRICS_FD, type NodeAddress, type NodeLaunch } from './node-contract';

/** The last octet of a run's first node, as ModelArts-style hosts are counted from .11. */
const FIRST_HOST = 11;
/** Nodes per block of addresses (127.0.<block>.11 … .<11 + this - 1>). */
const MAX_LOCAL_NODES = 200;
const BLOCKS = 256;

export class LocalExecutor implements NodeExecutor {
  private readonly usedBlocks = new Set<number>();

  async reserve(count: number): Promise<NodeAddress[]> {
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

  release(addresses: NodeAddress[]): void {
    const block = Number(addresses[0]?.host.split('.')[2]);
    this.usedBlocks.delete(block);
  }

  start(node: NodeLaunch, sinks: NodeSinks): StartedNode {
    const child = spawn(node.command, node.args, {
      cwd: node.cwd,
      env: node.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // Its own process group: stopping the node stops whatever it started.
      detached: true,
    });
    child.stdout!.on('data', sinks.output);
    child.stderr!.on('data', sinks.output);
    (child.stdio[METRICS_FD] as NodeJS.ReadableStream).on('data', sinks.metrics);
    return { pid: child.pid, exited: exitOf(child), signal: (sig) => killGroup(child, sig) };
  }
}

function exitOf(child: ChildProcess): Promise<ExitInfo> {
  return new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => resolve({ code: 127, signal: null, reason: `could not be started: ${err.message}` }));
    child.once('exit', (code, signal) => {
      // Grandchildren the boot file left behind go with it, as with a finished container.
      killGroup(child, 'SIGKILL');
      child.once('close', () => resolve({ code, signal, reason: describeExit(code, signal) }));
    });
  });
}

/** A port nothing listens on at `host` now, for the node to use as it likes (BATCH_*_HOSTS). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) => reject(new Error(`no port could be reserved on ${host}: ${err.message}`)));
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  // ESRCH: the group is gone already.
  ifErrnoSync(() => process.kill(-pid, sig), ['ESRCH']);
}
