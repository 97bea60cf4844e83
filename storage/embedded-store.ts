import { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { distPath } from '../kernel/paths';
import { log } from '../kernel/log';
import { forkWithHandshake, terminate, waitForExit, ExitInfo } from '../kernel/process/supervise';
import { RestartBackoff, RESTART_POLICIES } from '../kernel/process/restart-policy';
import type { EmbeddedStoreInfo, EmbeddedStoreOptions } from './embedded-store-main';

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/**
 * The embedded S3 server, in its own process so object traffic never competes with
 * the control plane's event loop; its files live under `<DATA_DIR>/obs`. If it dies,
 * it is started again on the same port (`RESTART_POLICIES.embeddedStore`), so work resumes
 * without restarting the platform.
 */
export class EmbeddedStore {
  private child?: ChildProcess;
  private closing = false;
  private readonly restarts = new RestartBackoff(RESTART_POLICIES.embeddedStore);

  private constructor(
    private options: EmbeddedStoreOptions,
    readonly endpoint: string,
  ) {}

  static async start(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const storeOptions = { ...options, dataDir: path.join(options.dataDir, 'obs') };
    const { child, info } = await spawnStore(storeOptions);
    const store = new EmbeddedStore({ ...storeOptions, port: info.port }, info.endpoint);
    store.watch(child);
    return store;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private watch(child: ChildProcess): void {
    this.child = child;
    void waitForExit(child).then((exit) => {
      if (!this.closing) void this.restart(exit);
    });
  }

  private async restart(exit: ExitInfo): Promise<void> {
    // The policy starts it forever: a delay is always given.
    const delay = this.restarts.nextDelay() ?? 0;
    log.warn(`the embedded object store ${exit.reason}; starting it again in ${delay} ms`);
    await sleep(delay);
    if (this.closing) return;
    try {
      const { child } = await spawnStore(this.options);
      this.watch(child);
      this.restarts.up();
      log.info(`the embedded object store is back at ${this.endpoint}`);
    } catch (err) {
      void this.restart({ code: null, signal: null, reason: `could not start: ${(err as Error).message}` });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.child) await terminate(this.child, STOP_GRACE_MS);
  }
}

async function spawnStore(options: EmbeddedStoreOptions): Promise<{ child: ChildProcess; info: EmbeddedStoreInfo }> {
  return forkWithHandshake<EmbeddedStoreInfo>(distPath('storage/embedded-store-main.js'), {
    label: 'the embedded object store',
    startTimeoutMs: START_TIMEOUT_MS,
    env: { ...process.env, MA_EMBEDDED_STORE: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
