/**
 * `npm run bench:profile`: where an instance spends its time under load. Run with
 * `node --cpu-prof --cpu-prof-dir=<dir>`, so instance processes (forked with this
 * process's exec arguments) write a profile when they exit; the MNIST service takes
 * `--seconds` of concurrency-32 load on its address, is stopped (its instance exits
 * cleanly), and the instance's heaviest functions by self time are printed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { api } from '../test/helpers/http';
import { startTestPlatform } from '../test/helpers/platform';
import { deployService, importMnist, waitForService } from '../test/helpers/services';
import { loadPhase } from './load';
import { digitUpload } from './predictions';

const TOP = 25;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms), heaviest first. */
export function selfTimes(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${path.basename(frame.url)}:${frame.lineNumber + 1}`;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const dirArg = process.execArgv.find((a) => a.startsWith('--cpu-prof-dir='));
  if (!dirArg) throw new Error('run as: node --cpu-prof --cpu-prof-dir=<dir> dist/bench/profile.js');
  const dir = path.resolve(dirArg.split('=')[1]);
  const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 10);
  process.env.LOG_LEVEL ??= 'silent';
  const t = await startTestPlatform();
  let pid = 0;
  try {
    const model = await importMnist(t, 'profile', 'mnist');
    const service = await deployService(t.url, { name: 'mnist-profile', model_id: model.id });
    pid = service.instances[0].pid;
    const figures = await loadPhase(service.access_address, digitUpload(), 32, seconds);
    console.log(`load: ${figures.rps} req/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, ${figures.errors + figures.non_2xx} errors`);
    await api(t.url, 'POST', `/services/${service.id}/stop`);
    await waitForService(t.url, service.id, ['stopped']);
  } finally {
    await t.close();
  }
  // Profiles are named CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
  const file = (await fs.readdir(dir)).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
  if (!file) throw new Error(`the instance (pid ${pid}) wrote no profile to ${dir}`);
  const times = selfTimes(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as CpuProfile);
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`instance profile ${path.join(dir, file)}: ${total.toFixed(0)} ms sampled; heaviest self times:`);
  for (const [name, ms] of times.slice(0, TOP)) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
