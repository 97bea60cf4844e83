/** One SavedModel converted in this process, for its time and peak memory (bench/savedmodel.ts forks it). */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { convertSavedModel, writeConverted } from '../compute/savedmodel/convert';

async function main(): Promise<void> {
  const [saved, out] = process.argv.slice(2);
  const start = performance.now();
  await writeConverted(convertSavedModel(saved, `${saved}/`), out);
  const ms = performance.now() - start;
  const weights = fs.statSync(path.join(saved, 'variables', 'variables.data-00000-of-00001')).size;
  process.send?.({ ms: Math.round(ms), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), weights_mb: Math.round(weights / 1e6) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
