import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@modelarts-local/durable';

/**
 * Copies a model package's own files (config.json, customize_service.js …) from
 * `fromDir` next to a saved model, writing the measured `metrics` into config.json,
 * so the job's output is a package that model import takes as it is.
 */
export async function writePackageFiles(fromDir: string, modelDir: string, metrics: Record<string, number> = {}): Promise<void> {
  await fs.mkdir(modelDir, { recursive: true });
  for (const name of await fs.readdir(fromDir)) {
    if (name === 'config.json') continue;
    await fs.cp(path.join(fromDir, name), path.join(modelDir, name), { recursive: true });
  }
  const config = JSON.parse(await fs.readFile(path.join(fromDir, 'config.json'), 'utf8')) as { metrics?: Record<string, number> };
  const rounded = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number(v.toFixed(4))]));
  config.metrics = { ...config.metrics, ...rounded };
  await writeFileAtomic(path.join(modelDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}
