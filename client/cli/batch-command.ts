/** `batch`: create a batch service and follow it; `follow` of a batch service. */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json, PlatformClient } from '../api-client';
import { listOption, requiredOption, stringOption, UsageError, type ParsedArgs } from './args';
import { bar, clock, coarse, type Screen } from './progress';
import { follow, modelId, type Io } from './commands';

const POLL_MS = 500;

/** batch --name N --model M --src obs://… --dest obs://…: creates the batch service, then follows it to its end. */
export async function batch(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const rule = stringOption(args, 'mapping-rule');
  const envs = Object.fromEntries(listOption(args, 'env').map((e) => {
    const eq = e.indexOf('=');
    if (eq < 1) throw new UsageError(`--env ${e}: write NAME=value`);
    return [e.slice(0, eq), e.slice(eq + 1)];
  }));
  const instances = stringOption(args, 'instances');
  const body = {
    name: requiredOption(args, 'name'),
    infer_type: 'batch',
    model_id: await modelId(client, requiredOption(args, 'model')),
    src_path: requiredOption(args, 'src'),
    dest_path: requiredOption(args, 'dest'),
    req_uri: stringOption(args, 'req-uri') ?? '/',
    mapping_type: stringOption(args, 'mapping') ?? (rule ? 'csv' : 'file'),
    ...(rule && { mapping_rule: JSON.parse(await fs.readFile(rule, 'utf8')) }),
    ...(args.options.manifest === true && { src_type: 'ManifestFile' }),
    ...(instances && { instance_count: Number(instances) }),
    ...(Object.keys(envs).length && { envs }),
  };
  const created = await client.request('POST', '/services', body);
  io.out(`batch service ${created.name} (${created.id}) created: ${created.batch.src_path} → ${created.batch.dest_path}`);
  if (args.options.detach === true) return 0;
  return exitCodeOf(await followBatch(client, created.id, io.screen));
}

/** follow <job or batch service>: a batch service by that id or name, else a training job. */
export async function followAny(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const ref = args.positionals[0];
  const found = ref ? await findBatch(client, ref) : undefined;
  if (found) return exitCodeOf(await followBatch(client, found.id, io.screen));
  return follow(client, args, io);
}

/** The batch service named or numbered `ref`, if there is one. */
async function findBatch(client: PlatformClient, ref: string): Promise<Json | undefined> {
  const { items } = await client.request<{ items: Json[] }>('GET', '/services?infer_type=batch');
  return items.find((s) => s.id === ref) ?? items.find((s) => s.name === ref);
}

/** Its status changes as lines, and while it runs a progress bar (redrawn in place on a terminal). */
async function followBatch(client: PlatformClient, id: string, screen: Screen): Promise<Json> {
  let lastStatus = '';
  let saidRunning = false;
  let lastLine = '';
  let drawn = false;
  const started = Date.now();
  for (;;) {
    const s = await client.request<Json>('GET', `/services/${encodeURIComponent(id)}`);
    if (s.status !== lastStatus) {
      if (drawn) screen.write('\n');
      // A run shorter than a poll, seen from before its start, still ran: its start time says so.
      if (lastStatus && s.started_at && s.status !== 'running' && !saidRunning) screen.write(`${s.name}: running\n`);
      screen.write(`${s.name}: ${s.status}\n`);
      saidRunning ||= Boolean(s.started_at);
      lastStatus = s.status;
      drawn = false;
    }
    if (s.terminal) {
      if (drawn) screen.write('\n');
      screen.write(`${summary(s)}\n`);
      return s;
    }
    const { total, done, failed } = s.progress;
    const line = s.status === 'running' ? `${bar(total ? done / total : 0)}  ${done} of ${total} inputs${failed ? `, ${failed} failed` : ''}  ${clock((Date.now() - started) / 1000)}` : '';
    if (line && line !== lastLine && (screen.tty || coarse(line) !== coarse(lastLine))) {
      screen.write(screen.tty ? `\r\x1b[K${line}` : `${line}\n`);
      drawn = screen.tty;
      lastLine = line;
    }
    await sleep(POLL_MS);
  }
}

function summary(s: Json): string {
  const { total, done, failed } = s.progress;
  const seconds = s.started_at && s.finished_at ? ` in ${((Date.parse(s.finished_at) - Date.parse(s.started_at)) / 1000).toFixed(1)} s` : '';
  const head = s.status === 'finished' ? `Finished${seconds}: ${done - failed} of ${total} inputs scored, ${failed} failed` : `${s.status === 'failed' ? 'Failed' : 'Stopped'} after ${done} of ${total} inputs${s.reason ? `: ${s.reason}` : ''}`;
  return `${head}\n  manifest ${s.outputs.manifests.join(', ')}\n  results  ${s.outputs.results}`;
}

function exitCodeOf(s: Json): number {
  return s.status === 'finished' ? 0 : 1;
}
