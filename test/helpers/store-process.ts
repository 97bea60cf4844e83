import { ChildProcess } from 'node:child_process';
import { distPath } from '../../kernel/paths';
import { forkWithHandshake } from '../../kernel/process/supervise';
import type { EmbeddedStoreInfo } from '../../storage/embedded-store-main';

export const STORE_KEYS = { accessKeyId: 'fault-test', secretAccessKey: 'fault-test-secret', region: 'us-east-1' };

/**
 * An S3 server in a process of its own that a test stops and starts at will, as an
 * external store (OBS_ENDPOINT) would come and go.
 */
export class StoreProcess {
  private child?: ChildProcess;
  port = 0;

  constructor(private readonly dataDir: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const options = { host: '127.0.0.1', port: this.port, dataDir: this.dataDir, ...STORE_KEYS };
    const { child, info } = await forkWithHandshake<EmbeddedStoreInfo>(distPath('storage/embedded-store-main.js'), {
      label: 'test store',
      startTimeoutMs: 20_000,
      env: { ...process.env, MA_EMBEDDED_STORE: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.port = info.port;
  }

  /** Gone at once, as a crashed or unplugged store. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Platform settings that point at this store. */
  env(): Record<string, string> {
    return { OBS_ENDPOINT: this.endpoint, OBS_ACCESS_KEY_ID: STORE_KEYS.accessKeyId, OBS_SECRET_ACCESS_KEY: STORE_KEYS.secretAccessKey };
  }
}
