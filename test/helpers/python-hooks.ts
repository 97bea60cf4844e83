import fs from 'node:fs/promises';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';

/** The MNIST sample's Python package files (customize_service.py, config.json). */
export const PYTHON_PACKAGE = repoPath('samples', 'mnist', 'code', 'model-package-python');
const PYTHON_FIXTURES = repoPath('test', 'fixtures', 'hooks', 'python');

/**
 * Turns the trained MNIST package into a Python one: the JavaScript hook out, the
 * sample's customize_service.py (or a fixture from test/fixtures/hooks/python) and its
 * config.json in, optionally edited.
 */
export function withPythonHook(fixture?: string, editConfig?: (config: any) => void): (modelDir: string) => Promise<void> {
  return async (modelDir) => {
    await fs.rm(path.join(modelDir, 'customize_service.js'));
    const hook = fixture ? path.join(PYTHON_FIXTURES, fixture) : path.join(PYTHON_PACKAGE, 'customize_service.py');
    await fs.copyFile(hook, path.join(modelDir, 'customize_service.py'));
    const config = JSON.parse(await fs.readFile(path.join(PYTHON_PACKAGE, 'config.json'), 'utf8'));
    editConfig?.(config);
    await fs.writeFile(path.join(modelDir, 'config.json'), JSON.stringify(config, null, 2));
  };
}

/** Pids of the Python workers an instance process runs (its children running ma_hook_worker.py). */
export async function pythonWorkerPids(instancePid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the command in parentheses) is the parent pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== instancePid) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('ma_hook_worker.py')) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}
