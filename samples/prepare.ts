/**
 * The samples' start-up step: `npm start` (platform/main.ts), a platform a sample starts
 * itself, and tests that ask for it run it after the platform is up. The platform never
 * imports the samples; this step uses only what any client of the store has.
 */
import path from 'node:path';
import type { PlatformContext } from '../kernel/context';
import { log } from '../kernel/log';
import { prepareTutorialBucket, TUTORIAL } from './mnist/prepare';

/** The MNIST tutorial's bucket and the other samples' code, unless PREPARE_SAMPLES=false. */
export async function prepareSamples(context: Pick<PlatformContext, 'config' | 'store'>): Promise<void> {
  const { config, store } = context;
  if (!config.prepareSamples) return;
  const prepared = await prepareTutorialBucket(store, path.join(config.dataDir, 'cache'));
  if (prepared.uploaded.length) log.info(`samples: uploaded ${prepared.uploaded.length} objects to obs://${TUTORIAL.bucket}/`);
}
