import fs from 'node:fs';
import path from 'node:path';

/**
 * Puts a model package's other files beside a saved model: `config.json` from
 * `fromDir` with the measured `metrics` filled in, and the inference hook
 * (`customize_service.js`), so `<train_url>/model/` can be imported as it is.
 */
export function writeModelPackage(modelDir: string, fromDir: string, metrics: Record<string, number>): void {
  const config = JSON.parse(fs.readFileSync(path.join(fromDir, 'config.json'), 'utf8')) as { metrics?: Record<string, number> };
  config.metrics = { ...config.metrics, ...metrics };
  fs.mkdirSync(modelDir, { recursive: true });
  fs.writeFileSync(path.join(modelDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  for (const hook of ['customize_service.js', 'customize_service.mjs', 'customize_service.ts']) {
    if (fs.existsSync(path.join(fromDir, hook))) fs.copyFileSync(path.join(fromDir, hook), path.join(modelDir, hook));
  }
}
