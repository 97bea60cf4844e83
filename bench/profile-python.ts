/**
 * The Python side of `npm run bench:profile -- --hook=python`: each worker wrote its
 * cProfile stats (worker-<pid>.pstats) when it ended; their heaviest functions by own
 * time, read with the standard library's pstats in the Python that ran them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { choosePython } from '../kernel/process/python';

const run = promisify(execFile);

const SUMMARY = `
import pstats, sys
stats = pstats.Stats(*sys.argv[2:])
stats.sort_stats('tottime').print_stats(int(sys.argv[1]))
`;

export async function printWorkerProfiles(dir: string, top: number): Promise<void> {
  const files = (await fs.readdir(dir)).filter((f) => /^worker-\d+\.pstats$/.test(f)).map((f) => path.join(dir, f));
  if (!files.length) throw new Error(`the Python workers wrote no profile to ${dir}`);
  const python = await choosePython(undefined);
  const { stdout } = await run(python.command, ['-c', SUMMARY, String(top), ...files], { maxBuffer: 16 * 1024 * 1024 });
  console.log(`Python workers (${files.length}, cProfile; calls, own time, cumulative time):`);
  console.log(stdout.split('\n').filter((l) => l.trim()).slice(0, top + 8).join('\n'));
  await Promise.all(files.map((f) => fs.rm(f)));
}
