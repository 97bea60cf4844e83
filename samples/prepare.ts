/**
 * The samples' start-up step: `npm start` (platform/main.ts), a platform a sample starts
 * itself, and tests that ask for it run it after the platform is up. The platform never
 * imports the samples; this step uses only what any client of the store has.
 */
import path from 'node:path';
import type { PlatformContext } from '../kernel/context';
import { log } from '../kernel/log';
import { prepareTutorialBucket, TUTORIAL } from './mnist/prepare';
import { prepareBatchInput } from './mnist/batch-input';
import { dropLogged } from '../kernel/util/drop';

/**
 * The MNIST tutorial's bucket and the other samples' code, unless PREPARE_SAMPLES=false,
 * and the batch tutorial's test digits beside them — after the rest, in the background,
 * with `digitsInBackground` (npm start: a first start does not wait the second they take).
 */
export async function prepareSamples(context: Pick<PlatformContext, 'config' | 'store'>, opts: { digitsInBackground?: boolean } = {}): Promise<void> {
  const { config, store } = context;
  if (!config.prepareSamples) return;
  await store.ensureBucket(TUTORIAL.bucket);
  const digits = prepareBatchInput(store, TUTORIAL.bucket, TUTORIAL.batchInput, TUTORIAL.batchOutput).then((keys) => {
    if (keys.length) log.info(`samples: uploaded ${keys.length} objects to obs://${TUTORIAL.bucket}/${TUTORIAL.batchInput} and ${TUTORIAL.batchOutput}`);
  });
  if (opts.digitsInBackground) void dropLogged(digits, 'uploading the batch tutorial\'s test digits');
  const [prepared] = await Promise.all([prepareTutorialBucket(store, path.join(config.dataDir, 'cache')), opts.digitsInBackground ? undefined : digits]);
  if (prepared.uploaded.length) log.info(`samples: uploaded ${prepared.uploaded.length} objects to obs://${TUTORIAL.bucket}/`);
}
