/**
 * One node's boot file as a process group on the machine it runs on (this one, or a cluster
 * node through its runner): stdout and stderr to the node's log, fd 3 to the metrics, and
 * whatever the boot file leaves behind killed with it when it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describeExit, type ExitInfo } from '../../kernel/process/supervise';
import type { StartedNode } from './executor';
import { METRICS_FD, type NodeLaunch } from './node-contract';

/** Where a node's output goes: its stdout and stderr, and its metric reports. */
export interface NodeSinks {
  output(chunk: Buffer): void;
  metrics(chunk: Buffer): void;
}

export function startNodeProcess(node: NodeLaunch, sinks: NodeSinks): StartedNode & { child: ChildProcess } {
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
  return { child, pid: child.pid, exited: exitOf(child), signal: (sig) => killGroup(child, sig) };
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

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // the group is gone already
  }
}
