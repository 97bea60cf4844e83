#!/usr/bin/env node
/** `modelarts-local`: the platform from the command line. */
import { loadClientConfig } from '../../kernel/config';
import { OptionSpec, parseCommandLine, UsageError } from './args';
import { PlatformClient } from '../api-client';
import { deploy, Io, list, listObjects, logs, train, upload } from './commands';
import { importModel, validate } from './model-commands';
import { predictCommand } from './predict-command';
import { batch, followAny } from './batch-command';
import { tfServingCommand } from './tf-serving-command';

export const USAGE = `usage: modelarts-local <command> [options]      (platform at PLATFORM_URL, default http://127.0.0.1:8080)

  upload <file|folder> <obs://bucket/folder/>   put code or data into a bucket
  ls <obs://bucket/prefix>                      list objects
  train --name N --code obs://… --boot-file F --data obs://… --output obs://… [--param k=v]… [--engine tfjs|node|python] [--nodes N] [--overwrite] [--detach]
                                                create a training job and follow it with a progress display
  follow <job|batch service>                    follow a job or a batch service (id or name) until it ends
  logs <job> [--follow] [--task worker-<n>]     print a job's log (or one worker's, with several nodes)
  import --name N [--version x.y.z] (--job <job> [--job-version V0001] | --url obs://…/)
                                                import a model package; prints config.json's warnings
  validate <config.json | folder>               check a config.json as import does, without importing
  deploy --name <service> --model <id|name|name@x.y.z> [--instances N]
                                                create or redeploy a real-time service and wait until it runs
  batch --name <service> --model <id|name|name@x.y.z> --src obs://…/ --dest obs://…/ [--req-uri /]
        [--mapping file|csv] [--mapping-rule rule.json] [--manifest] [--instances N] [--env K=V]… [--detach]
                                                create a batch service (a model scores every file, CSV row or
                                                manifest line under --src into --dest) and follow it with a progress bar
  list [jobs|models|services]
  predict (--service <id|name> [--tf-serving] | --url <address>) (-i <image> | -d <dir>) [-p] [--field F] [--app-code C]
          --url takes a service address, its /v1/infers/<id>/ URL or a TF Serving URL (…/v1/models/<name>);
          --field names the form field of the image (default: the one config.json's API asks for, else images);
          --app-code sends the service's app code (X-Apig-AppCode);
          -p prints each class's probability that the answer holds: every class of the model with
          --tf-serving or a TF Serving URL, the hook's top 5 through the service's POST /
  tf-serving --model_name=N --model_base_path=<folder> [--rest_api_port=8501] [--port=8500] | --model_config_file=<file>
                                                TF Serving's own command line, without Docker: serves the newest
                                                numbered version (SavedModel or tfjs) and follows new ones`;

export const OPTIONS: OptionSpec[] = [
  ...['name', 'code', 'boot-file', 'data', 'output', 'engine', 'version', 'job', 'job-version', 'url', 'model', 'instances', 'service', 'field', 'app-code', 'task', 'nodes'].map((name) => ({ name })),
  ...['src', 'dest', 'req-uri', 'mapping', 'mapping-rule'].map((name) => ({ name })),
  { name: 'manifest', flag: true },
  { name: 'env', repeat: true },
  { name: 'param', repeat: true },
  { name: 'image', short: 'i' },
  { name: 'dir', short: 'd' },
  { name: 'probabilities', short: 'p', flag: true },
  { name: 'tf-serving', flag: true },
  { name: 'detach', flag: true },
  { name: 'overwrite', flag: true },
  { name: 'follow', short: 'f', flag: true },
  { name: 'help', short: 'h', flag: true },
];

type Command = (client: PlatformClient, args: ReturnType<typeof parseCommandLine>, io: Io) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  upload,
  ls: listObjects,
  train,
  follow: followAny,
  logs,
  import: importModel,
  validate,
  deploy,
  list,
  batch,
  predict: (client, args, io) => predictCommand(client, args, io.out),
};

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  // TF Serving's flags are its own (--model_base_path=…): they go to the server as they are.
  if (name === 'tf-serving') return tfServingCommand(rest);
  try {
    const command = COMMANDS[name ?? ''];
    if (!command || name === 'help') {
      io.out(USAGE);
      return name && name !== 'help' && name !== '--help' && name !== '-h' ? 2 : 0;
    }
    const args = parseCommandLine(rest, OPTIONS);
    if (args.options.help) {
      io.out(USAGE);
      return 0;
    }
    return (await command(PlatformClient.fromConfig(loadClientConfig()), args, io)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.out(`modelarts-local ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    // The platform's answers, storage and file errors are the user's to read, not stack traces.
    io.out(`modelarts-local ${name}: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  // `modelarts-local predict -d … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  const io: Io = {
    out: (line) => process.stdout.write(line + '\n'),
    screen: { tty: process.stdout.isTTY === true, write: (text) => process.stdout.write(text) },
  };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
