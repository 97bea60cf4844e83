import { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { distPath } from '../paths';
import { forkWithHandshake, terminate } from '../process/supervise';
import type { EmbeddedStoreInfo, EmbeddedStoreOptions } from './embedded-store-main';

const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export interface EmbeddedStore {
  endpoint: string;
  port: number;
  child: ChildProcess;
  close(): Promise<void>;
}

/**
 * Runs the embedded S3 server in its own process, so object traffic never competes
 * with the control plane's event loop, and its files live under `<DATA_DIR>/obs`.
 */
export async function startEmbeddedStore(options: Omit<EmbeddedStoreOptions, 'dataDir'> & { dataDir: string }): Promise<EmbeddedStore> {
  const storeOptions: EmbeddedStoreOptions = { ...options, dataDir: path.join(options.dataDir, 'obs') };
  const { child, info } = await forkWithHandshake<EmbeddedStoreInfo>(distPath('platform/storage/embedded-store-main.js'), {
    label: 'the embedded object store',
    startTimeoutMs: START_TIMEOUT_MS,
    env: { ...process.env, MA_EMBEDDED_STORE: JSON.stringify(storeOptions) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    ...info,
    child,
    async close() {
      await terminate(child, STOP_GRACE_MS);
    },
  };
}

