/**
 * mox.file.copy_parallel against the aws cli (`aws s3 cp --recursive`) on the same 1,000 files,
 * both ways (a local folder to OBS, OBS to a local folder), against the platform's embedded
 * store. Each side is timed as a user runs it: one command, interpreter start included. Rounds
 * interleave the two; each side's figure is its best round.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { choosePython } from '../kernel/process/python';
import { obsEnv, SHARED_PYTHON_DIR } from '../kernel/storage/obs-env';
import { startTestPlatform, tempDir } from '../test/helpers/platform';

const run = promisify(execFile);
export const FILES = 1000;
export const FILE_BYTES = 64 * 1024;
const ROUNDS = 3;
const BUCKET = 'bench-moxing';

type Direction = 'upload' | 'download';
export interface CopyFigures {
  files: number;
  bytes: number;
  rounds: number;
  load_average: number[];
  /** Best seconds of each tool and direction; aws is absent when the aws cli is not installed. */
  moxing: Record<Direction, number>;
  aws?: Record<Direction, number>;
  aws_version?: string;
  note?: string;
}

async function makeFiles(dir: string): Promise<void> {
  for (let i = 0; i < FILES; i++) {
    const sub = path.join(dir, `part-${Math.floor(i / 100)}`);
    await fs.mkdir(sub, { recursive: true });
    await fs.writeFile(path.join(sub, `sample-${i}.bin`), Buffer.alloc(FILE_BYTES, i % 251));
  }
}

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  await run(command, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return (performance.now() - start) / 1000;
}

async function awsVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run('aws', ['--version'], { env });
    return (stdout || stderr).trim().split(' ')[0];
  } catch {
    return undefined;
  }
}

export async function benchMoxingCopy(say: (line: string) => void): Promise<CopyFigures> {
  const t = await startTestPlatform();
  const work = await tempDir('bench-moxing');
  try {
    await t.store.ensureBucket(BUCKET);
    const source = path.join(work, 'source');
    await makeFiles(source);
    const endpoint = t.platform.context.storageEndpoint;
    const env = { ...process.env, ...obsEnv({ ...t.config.obs, endpoint }), PYTHONPATH: SHARED_PYTHON_DIR, AWS_EC2_METADATA_DISABLED: 'true' };
    const python = (await choosePython(process.env.PYTHON, { modules: ['boto3'] })).command;
    const version = await awsVersion(env);
    const best: { moxing: Record<Direction, number>; aws: Record<Direction, number> } = { moxing: { upload: Infinity, download: Infinity }, aws: { upload: Infinity, download: Infinity } };
    const mox = (src: string, dst: string) => timed(python, ['-c', 'import sys, moxing as mox; mox.file.copy_parallel(sys.argv[1], sys.argv[2])', src, dst], env);
    const aws = (src: string, dst: string) => timed('aws', ['--endpoint-url', endpoint, 's3', 'cp', '--recursive', '--only-show-errors', src, dst], env);
    for (let r = 1; r <= ROUNDS; r++) {
      for (const [tool, copy] of [['moxing', mox], ['aws', aws]] as const) {
        if (tool === 'aws' && !version) continue;
        const prefix = `${tool}-${r}`;
        say(`moxing copy: ${tool} round ${r}`);
        best[tool].upload = Math.min(best[tool].upload, await copy(source, `s3://${BUCKET}/${prefix}/`));
        best[tool].download = Math.min(best[tool].download, await copy(`s3://${BUCKET}/${prefix}/`, path.join(work, prefix)));
      }
    }
    return {
      files: FILES,
      bytes: FILES * FILE_BYTES,
      rounds: ROUNDS,
      load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
      moxing: best.moxing,
      ...(version ? { aws: best.aws, aws_version: version } : { note: 'the aws cli is not installed: only moxing was measured' }),
    };
  } finally {
    await t.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

export function moxingCopyRows(f: CopyFigures): string[][] {
  const mb = f.bytes / 1e6;
  const rows: string[][] = [[`copy ${f.files} files of ${FILE_BYTES / 1024} KiB (best of ${f.rounds}; load ${f.load_average.join(' ')})`, 'seconds', 'MB/s', 'files/s', 'vs aws cli']];
  for (const d of ['upload', 'download'] as const) {
    const label = d === 'upload' ? 'local → OBS' : 'OBS → local';
    rows.push([`  mox.file.copy_parallel, ${label}`, f.moxing[d].toFixed(2), (mb / f.moxing[d]).toFixed(1), (f.files / f.moxing[d]).toFixed(0), f.aws ? `${(f.aws[d] / f.moxing[d]).toFixed(2)}x` : '']);
    if (f.aws) rows.push([`  aws s3 cp --recursive (${f.aws_version}), ${label}`, f.aws[d].toFixed(2), (mb / f.aws[d]).toFixed(1), (f.files / f.aws[d]).toFixed(0), '1.00x']);
  }
  return rows;
}
