/**
 * The same MNIST model behind its JavaScript hook (customize_service.js, in the
 * instance) and behind ModelArts' Python one (customize_service.py, in the instance's
 * Python workers, whose _inference asks the instance for the model's outputs over the
 * worker's channel), each at concurrency 1 and 32 on its service address; and a Python
 * hook that answers a constant without reading the upload or calling the model, which
 * shows what the transport to the workers costs by itself. Phases run in interleaved
 * rounds; each side's figure is its best round.
 */
import { startTestPlatform } from '../test/helpers/platform';
import { deployService, importMnist } from '../test/helpers/services';
import { pythonWorkerPids, withPythonHook } from '../test/helpers/python-hooks';
import { loadFromAnotherProcess, loadPhase, type LoadFigures } from './load';
import { CONCURRENCIES, digitUpload, type Side } from './predictions';

const ROUNDS = 2;
const SIDES = ['js', 'python', 'python_constant'] as const;
type SideName = (typeof SIDES)[number];
const LABELS: Record<SideName, string> = { js: 'customize_service.js', python: 'customize_service.py', python_constant: 'customize_service.py answering a constant' };

export interface PythonHookFigures {
  rounds: number;
  workers_per_instance: number;
  /** Best round of each side. */
  js: Side;
  python: Side;
  /** A Python hook that answers without reading the upload or calling the model: the transport alone. */
  python_constant?: Side;
  runs: (LoadFigures & { side: SideName })[];
}

export async function benchPythonHook(seconds: number, say: (line: string) => void): Promise<PythonHookFigures> {
  const t = await startTestPlatform();
  try {
    const services: Record<SideName, any> = {
      js: await deploy(t, 'mnist-js'),
      python: await deploy(t, 'mnist-python', withPythonHook()),
      python_constant: await deploy(t, 'mnist-python-constant', withPythonHook('constant_answer.py')),
    };
    const platformPid = loadFromAnotherProcess() ? [process.pid] : [];
    const pids = {} as Record<SideName, number[]>;
    for (const side of SIDES) pids[side] = [services[side].instances[0].pid, ...(await pythonWorkerPids(services[side].instances[0].pid)), ...platformPid];
    const upload = digitUpload();
    const runs: PythonHookFigures['runs'] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      for (const c of CONCURRENCIES) {
        for (const side of SIDES) {
          say(`hook round ${r} of ${ROUNDS}: ${LABELS[side]}, concurrency ${c}, ${seconds} s`);
          runs.push({ side, ...(await loadPhase(services[side].access_address, upload, c, seconds, pids[side])) });
        }
      }
    }
    const best = (side: SideName, c: number) => runs.filter((f) => f.side === side && f.connections === c).sort((a, b) => b.rps - a.rps)[0];
    const sideOf = (side: SideName): Side => ({ c1: best(side, 1), c32: best(side, 32) });
    return { rounds: ROUNDS, workers_per_instance: t.config.pythonWorkers, js: sideOf('js'), python: sideOf('python'), python_constant: sideOf('python_constant'), runs };
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
