/**
 * The seam between the platform's handle on a service instance (instance-process.ts: its
 * questions, hand-offs, drain and crash reports) and what carries them: a child process on
 * this machine with an IPC channel (local-link.ts), or a Slurm job on a cluster node whose
 * runner speaks for the instance there (services/cluster/). Nothing above InstanceProcess
 * knows which one runs an instance.
 */
import type { Socket } from 'node:net';
import type { ExitInfo } from '../../kernel/process/supervise';
import type { ConnectionMessage, InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';

/** A listening TCP socket as Node passes it between processes (a TCPWrap). */
export type ListenHandle = object;

export interface InstanceLink {
  /** The local process id, when the instance runs on this machine. */
  readonly pid?: number;
  /** The host its own port answers on (this machine's loopback, or its node's address). */
  readonly host: string;
  /** The cluster node it runs on, when it runs on one. */
  readonly node?: string;
  /** Whether the service's listening socket can be shared with it (only an instance on this machine). */
  readonly sharesSockets: boolean;
  /** Whether messages can be sent now. */
  readonly connected: boolean;
  /** Starts the instance; resolves once it has loaded its model, rejects with why it did not. */
  start(startTimeoutMs: number, onMessage: (message: InstanceMessage, handle?: ListenHandle) => void): Promise<InstanceReady>;
  /** Resolves when the instance has ended (a lost node counts as its end). */
  exited(): Promise<ExitInfo>;
  send(message: ParentMessage, handle?: ListenHandle): boolean;
  /** Passes a client's connection to the instance; `sent` is called once it has left this process. False when it cannot take it. */
  pass(socket: Socket, message: ConnectionMessage, sent: () => void): boolean;
  signal(sig: NodeJS.Signals): void;
}

/** Makes the links of new instances: on this machine, or on a cluster. */
export interface InstanceLauncher {
  /** Where instances run, in words for the service's events ("this machine", "Slurm partition …"). */
  readonly where: string;
  /** `options.modelDir` is filled in where the instance runs (the model's package is in OBS at `options.packageUrl`). */
  link(id: string, options: InstanceOptions, env: NodeJS.ProcessEnv): InstanceLink;
}
