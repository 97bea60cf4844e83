/**
 * Entry point of `modelarts-local tf-serving`: tensorflow_model_server's command line,
 * served on the platform's compute without Docker or TensorFlow. The CLI (which may use
 * only kernel/) starts this file as its own process; here the server's layers are composed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compute } from '../compute/tf';
import { log } from '../kernel/log';
import { FlagError, parseFlags } from '../services/tf_serving/standalone/flags';
import { startTfServingServer } from '../services/tf_serving/standalone/server';

export const TF_SERVING_USAGE = `usage: modelarts-local tf-serving --model_name=<name> --model_base_path=<folder> [--rest_api_port=8501] [--port=8500]
       modelarts-local tf-serving --model_config_file=<models.config> [--model_config_file_poll_wait_seconds=N] …
  --model_base_path holds numbered versions (1/, 2/ …), each a SavedModel or a tfjs model.json;
  the newest is served and new ones are loaded as they appear (--file_system_poll_wait_seconds, default 1).
  --port: gRPC (default 8500); --rest_api_port: REST (default 0: off); --host: where both listen (default 127.0.0.1).`;

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`modelarts-local tf-serving: ${err.message}\n\n${TF_SERVING_USAGE}\n`);
    process.exit(2);
  }
  const { tf, description } = await compute();
  log.info(`computing on ${description}`);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelarts-local-tf-serving-'));
  const server = await startTfServingServer(flags, tf, cacheDir);
  const stop = (signal: string) => {
    log.info(`${signal}: shutting down`);
    void server.close().finally(() => {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  log.error('tf-serving could not start', err);
  process.exit(1);
});
