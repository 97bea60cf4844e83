/** The command line's model commands: import a package, check a config.json. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PlatformClient } from '../api-client';
import { ParsedArgs, requiredOption, stringOption, UsageError } from './args';
import { Io, jobId } from './commands';
import { ifExists } from '../../kernel/util/drop';

interface Problem {
  path: string;
  message: string;
}

/** import: records the model and prints what config.json's check warned of. */
export async function importModel(client: PlatformClient, args: ParsedArgs, io: Io): Promise<void> {
  const job = stringOption(args, 'job');
  const url = stringOption(args, 'url');
  if (!job === !url) throw new UsageError('import from --job <id or name> or from --url obs://…/ (a folder holding model/)');
  const source = job ? { training_job_id: await jobId(client, job), training_job_version: stringOption(args, 'job-version') } : { url };
  const model = await client.request('POST', '/models/import', { name: requiredOption(args, 'name'), version: stringOption(args, 'version') ?? '1.0.0', ...source });
  const from = model.source?.type === 'training_job' ? ` from training job ${model.source.training_job_name} ${model.source.training_job_version}` : '';
  io.out(`model ${model.name} ${model.version} (${model.id})${from}: ${model.status}, ${model.size_bytes} bytes`);
  printProblems(io, 'warning', model.warnings);
}

/** validate <config.json | folder holding it or model/config.json>: the platform's check, without importing. */
export async function validate(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const [target] = args.positionals;
  if (!target) throw new UsageError('validate <config.json, or a folder holding it (or model/config.json)>');
  const file = await configFile(target);
  const res = await client.call('POST', '/models/validate', await fs.readFile(file, 'utf8'), { 'content-type': 'application/json' });
  const warnings: Problem[] = res.body?.warnings ?? [];
  const counted = warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
  if (res.status < 300) {
    io.out(`${file} is valid${counted}`);
    printProblems(io, 'warning', warnings);
    return 0;
  }
  const problems: Problem[] = res.body?.errors ?? [];
  if (!problems.length) throw new Error(`POST /models/validate: ${res.status} ${res.body?.error_msg ?? ''}`);
  io.out(`${file} is not valid: ${problems.length} problem${problems.length === 1 ? '' : 's'}${counted}`);
  printProblems(io, 'problem', problems);
  printProblems(io, 'warning', warnings);
  return 1;
}

async function configFile(target: string): Promise<string> {
  if (!(await fs.stat(target)).isDirectory()) return target;
  for (const candidate of [path.join(target, 'config.json'), path.join(target, 'model', 'config.json')]) {
    if ((await ifExists(fs.stat(candidate)))?.isFile()) return candidate;
  }
  throw new UsageError(`${target} holds neither config.json nor model/config.json`);
}

function printProblems(io: Io, kind: 'warning' | 'problem', problems: Problem[] | undefined): void {
  for (const p of problems ?? []) io.out(`  ${kind}: ${p.path}: ${p.message}`);
}
