/** `npm start`: the platform with its embedded defaults. */
import { ConfigError, EMBEDDED_SECRET_ACCESS_KEY, loadConfig } from '../kernel/config';
import { startPlatform } from './platform';
import { log } from '../kernel/log';
import { prepareSamples } from '../samples/prepare';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const platform = await startPlatform(config);
  // Listening before the banner: whoever reads it may stop the platform at once.
  const shutdown = (signal: string) => {
    log.info(`${signal}: shutting down`);
    platform.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await prepareSamples(platform.context, { digitsInBackground: true });
  } catch (err) {
    await platform.close();
    throw err;
  }
  const c = platform.context;
  // The default secret is printed so that any S3 client can be pointed at the store; one the user chose stays out of the output.
  const secret = config.obs.secretAccessKey === EMBEDDED_SECRET_ACCESS_KEY ? config.obs.secretAccessKey : 'from OBS_SECRET_ACCESS_KEY';
  const keys = c.embeddedStore ? ` (embedded; access key ${config.obs.accessKeyId}, secret ${secret}, region ${config.obs.region}, path-style)` : ' (external)';
  const computeNote = [c.compute.description, ...c.compute.notes.map((note) => `  not ${note}`)].join('\n                  ');
  process.stdout.write(
    [
      `ModelArts Local ${c.version}`,
      `  control plane   ${platform.url}`,
      `  object storage  ${c.storageEndpoint}${keys}`,
      `  data directory  ${config.dataDir}`,
      `  compute         ${computeNote}`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`Cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
