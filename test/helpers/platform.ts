import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, PlatformConfig } from '../../kernel/config';
import { startPlatform, Platform } from '../../platform/platform';
import { ObjectStore } from '../../kernel/storage/object-store';
import { prepareSamples } from '../../samples/prepare';

process.env.LOG_LEVEL ??= 'silent';

export interface TestPlatform {
  url: string;
  dataDir: string;
  config: PlatformConfig;
  platform: Platform;
  store: ObjectStore;
  close(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `ma-${prefix}-`));
}

/** The platform in this process, on free ports, with its own data dir. */
export async function startTestPlatform(env: Record<string, string> = {}, dataDir?: string): Promise<TestPlatform> {
  const dir = dataDir ?? (await tempDir('platform'));
  const config = loadConfig({ PORT: '0', OBS_PORT: '0', DATA_DIR: dir, PREPARE_SAMPLES: 'false', ...env });
  const platform = await startPlatform(config);
  await prepareSamples(platform.context);
  const store = platform.context.store;
  return {
    url: platform.url,
    dataDir: dir,
    config,
    platform,
    store,
    // A folder made here goes with the platform (a caller's own folder stays, for a restart on it).
    close: async () => {
      await platform.close();
      if (!dataDir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
