/**
 * `npm run bench:profile`: where an instance spends its time under load. Run with
 * `node --cpu-prof --cpu-prof-dir=<dir>`, so instance processes (forked with this
 * process's exec arguments) write a profile when they exit; the MNIST service takes
 * `--seconds` of concurrency-32 load (`--concurrency=`) on its address, is stopped (its instance exits
 * cleanly), and the (first) instance's heaviest functions by self time are printed
 * (`--instances=2` deploys two, `--batching=off` turns batching off). With
 * `--via=gateway` the load goes through /v1/infers and the platform process (this
 * one, whose profile is written when it exits) is the one summarised. With
 * `--hook=python` the service runs the sample's customize_service.py, and its Python
 * workers are profiled too (cProfile, MA_HOOK_PROFILE): their heaviest functions by
 * own time are printed after the instance's.
 */
import fs from 'node:fs/promises';
import inspector from 'node:inspector';
import path from 'node:path';
import { api } from '../test/helpers/http';
import { startTestPlatform } from '../test/helpers/platform';
import { deployService, importMnist, waitForService } from '../test/helpers/services';
import { loadPhase } from './load';
import { withPythonHook } from '../test/helpers/python-hooks';
import { printWorkerProfiles } from './profile-python';
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
  const viaGateway = process.argv.includes('--via=gateway');
  const instances = Number(process.argv.find((a) => a.startsWith('--instances='))?.split('=')[1] ?? 1);
  const python = process.argv.includes('--hook=python');
  process.env.LOG_LEVEL ??= 'silent';
  const t = await startTestPlatform();
  let pid = 0;
  try {
    const model = await importMnist(t, 'profile', 'mnist', '1.0.0', python ? withPythonHook() : undefined);
    const batching = process.argv.includes('--batching=off') ? { batching: false } : {};
    const envs = python ? { envs: { MA_HOOK_PROFILE: dir } } : {};
    const service = await deployService(t.url, { name: 'mnist-profile', model_id: model.id, instance_count: instances, ...batching, ...envs });
    if (service.status !== 'running') throw new Error(`the service did not deploy: ${JSON.stringify(service.events)}`);
    pid = viaGateway ? process.pid : service.instances[0].pid;
    const url = viaGateway ? `${t.url}/v1/infers/${service.id}/` : service.access_address;
    const own = viaGateway ? await startOwnProfile() : undefined;
    const concurrency = Number(process.argv.find((a) => a.startsWith('--concurrency='))?.split('=')[1] ?? 32);
    const figures = await loadPhase(url, digitUpload(), concurrency, seconds);
    if (own) printTop('platform process (gateway)', await own());
    console.log(`load: ${figures.rps} req/s, p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms, ${figures.errors + figures.non_2xx} errors`);
    await api(t.url, 'POST', `/services/${service.id}/stop`);
    await waitForService(t.url, service.id, ['stopped']);
  } finally {
    await t.close();
  }
  // Profiles are named CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
  const file = (await fs.readdir(dir)).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
  if (!file) throw new Error(`the instance (pid ${pid}) wrote no profile to ${dir}`);
  if (!viaGateway) printTop(`instance ${path.join(dir, file)}`, JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as CpuProfile);
  if (python) await printWorkerProfiles(dir, TOP);
}

function printTop(what: string, profile: CpuProfile): void {
  const times = selfTimes(profile);
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`${what}: ${total.toFixed(0)} ms sampled; heaviest self times:`);
  for (const [name, ms] of times.slice(0, TOP)) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
}

/** Profiles this process through the inspector; the returned function stops and gives the profile. */
async function startOwnProfile(): Promise<() => Promise<CpuProfile>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
