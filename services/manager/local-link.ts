/**
 * Instances on this machine (the default): each a child process of the platform with an IPC
 * channel, to which connections and the service's listening socket are passed as handles.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { distPath } from '../../kernel/paths';
import { passSocket } from '../../kernel/process/pass-socket';
import { forkWithHandshake, waitForExit, type ExitInfo } from '../../kernel/process/supervise';
import type { ConnectionMessage, InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';
import type { InstanceLauncher, InstanceLink, ListenHandle } from './instance-link';

export class LocalLauncher implements InstanceLauncher {
  readonly where = 'this machine';

  /** `modelDir` unpacks a model's package on this machine and says where. */
  constructor(private readonly modelDir: (modelId: string) => Promise<string>) {}

  link(id: string, options: InstanceOptions, env: NodeJS.ProcessEnv): InstanceLink {
    return new LocalLink(id, options, env, this.modelDir);
  }
}

class LocalLink implements InstanceLink {
  private child?: ChildProcess;
  readonly sharesSockets = true;

  constructor(
    private readonly id: string,
    private readonly options: InstanceOptions,
    private readonly env: NodeJS.ProcessEnv,
    private readonly modelDir: (modelId: string) => Promise<string>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get host(): string {
    return this.options.host;
  }

  get connected(): boolean {
    return !!this.child?.connected;
  }

  async start(startTimeoutMs: number, onMessage: (message: InstanceMessage, handle?: ListenHandle) => void): Promise<InstanceReady> {
    const options = { ...this.options, modelDir: await this.modelDir(this.options.modelId) };
    const { child, info } = await forkWithHandshake<InstanceReady>(distPath('services/instance/main.js'), {
      label: `instance ${this.id}`,
      startTimeoutMs,
      cwd: options.modelDir,
      env: { ...this.env, MA_INSTANCE: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', onMessage);
    return info;
  }

  exited(): Promise<ExitInfo> {
    return waitForExit(this.child!);
  }

  send(message: ParentMessage, handle?: ListenHandle): boolean {
    if (!this.child?.connected) return false;
    this.child.send(message, handle as never);
    return true;
  }

  pass(socket: Socket, message: ConnectionMessage, sent: () => void): boolean {
    return !!this.child && passSocket(this.child, message, socket, sent);
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }
}
