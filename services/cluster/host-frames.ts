/**
 * What the platform and an instance's host on a cluster node say to each other over their
 * line: the host introduces its node, gets the instance's options, fetches the model package
 * from OBS and starts the instance there; from then on the instance's own protocol messages
 * (services/instance/protocol.ts) travel both ways inside `ipc` frames.
 */
import type { ExitInfo } from '../../kernel/process/supervise';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import type { InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';

export interface HostHello {
  t: 'hello';
  node: string;
  /** The node's address on the cluster's network: the instance's own port and the relay port listen there. */
  host: string;
  relayPort: number;
}

export interface HostStart {
  t: 'start';
  options: InstanceOptions;
  env: Record<string, string>;
  /** Where the host fetches the model's package (the platform's keys; the instance never sees them). */
  obs: ObsAccess;
  /** The node's own folder, where model packages are kept between instances. */
  workDir: string;
  startTimeoutMs: number;
}

export type HostFrame =
  | HostHello
  | { t: 'ready'; info: InstanceReady }
  | { t: 'fatal'; message: string }
  | { t: 'ipc'; m: InstanceMessage }
  | { t: 'exit'; exit: ExitInfo };

export type PlatformToHost = HostStart | { t: 'ipc'; m: ParentMessage } | { t: 'signal'; sig: NodeJS.Signals };
