import type { ExitInfo } from '../../kernel/process/supervise';
import type { NodeAddress, NodeLaunch } from './node-contract';

/** Where a node's output goes: its stdout and stderr, and its metric reports. */
export interface NodeSinks {
  output(chunk: Buffer): void;
  metrics(chunk: Buffer): void;
}

/** One started node. */
export interface StartedNode {
  /** The local process id, when the node runs on this machine. */
  pid?: number;
  exited: Promise<ExitInfo>;
  signal(sig: NodeJS.Signals): void;
}

/**
 * What runs the nodes of a training job: addresses for them (reserved per run, released when
 * it ends), and each node's process as node-contract.ts describes it.
 */
export interface NodeExecutor {
  reserve(count: number): Promise<NodeAddress[]>;
  release(addresses: NodeAddress[]): void;
  start(node: NodeLaunch, sinks: NodeSinks): StartedNode;
}
