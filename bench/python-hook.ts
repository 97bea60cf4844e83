/**
 * The same MNIST model behind its JavaScript hook (customize_service.js, in the
 * instance) and behind ModelArts' Python one (customize_service.py, in the instance's
 * Python workers, which call its TF Serving API on loopback), each at concurrency 1
 * and 32 on its service address. Phases run in interleaved rounds; each side's figure
 * is its best round.
 */
import { startTestPlatform } from '../test/helpers/platform';
import { deployService, importMnist } from '../test/helpers/services';
import { pythonWorkerPids, withPythonHook } from '../test/helpers/python-hooks';
import { loadFromAnotherProcess, loadPhase, type LoadFigures } from './load';
import { CONCURRENCIES, digitUpload, type Side } from './predictions';

const ROUNDS = 2;

export interface PythonHookFigures {
  rounds: number;
  workers_per_instance: number;
  /** Best round of each side. */
  js: Side;
  python: Side;
  runs: (LoadFigures & { side: 'js' | 'python' })[];
}

export async function benchPythonHook(seconds: number, say: (line: string) => void): Promise<PythonHookFigures> {
  const t = await startTestPlatform();
  try {
    const js = await deploy(t, 'mnist-js');
    const python = await deploy(t, 'mnist-python', withPythonHook());
    const platformPid = loadFromAnotherProcess() ? [process.pid] : [];
    const pids = {
      js: [js.instances[0].pid, ...platformPid],
      python: [python.instances[0].pid, ...(await pythonWorkerPids(python.instances[0].pid)), ...platformPid],
    };
    const urls = { js: js.access_address as string, python: python.access_address as string };
    const upload = digitUpload();
    const runs: PythonHookFigures['runs'] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      for (const c of CONCURRENCIES) {
        for (const side of ['js', 'python'] as const) {
          say(`hook round ${r} of ${ROUNDS}: customize_service.${side === 'js' ? 'js' : 'py'}, concurrency ${c}, ${seconds} s`);
          runs.push({ side, ...(await loadPhase(urls[side], upload, c, seconds, pids[side])) });
        }
      }
    }
    const best = (side: 'js' | 'python', c: number) => runs.filter((f) => f.side === side && f.connections === c).sort((a, b) => b.rps - a.rps)[0];
    const sideOf = (side: 'js' | 'python'): Side => ({ c1: best(side, 1), c32: best(side, 32) });
    return { rounds: ROUNDS, workers_per_instance: t.config.pythonWorkers, js: sideOf('js'), python: sideOf('python'), runs };
  } finally {
    await t.close();
  }
}

async function deploy(t: Awaited<ReturnType<typeof startTestPlatform>>, name: string, change?: (modelDir: string) => Promise<void>): Promise<any> {
  const model = await importMnist(t, 'bench-hooks', name, '1.0.0', change);
  const service = await deployService(t.url, { name: `${name}-bench`, model_id: model.id, instance_count: 1 });
  if (service.status !== 'running') throw new Error(`${name} did not deploy: ${JSON.stringify(service.events)}`);
  return service;
}
