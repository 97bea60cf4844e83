/** The SavedModel part of the bench as table rows: figure, ratio, target. */
import type { SavedModelFigures } from './savedmodel';

const x = (v: number) => `${v.toFixed(2)}x`;

export function savedModelRows(f: SavedModelFigures): string[][] {
  const rows: string[][] = [['SavedModel (DigitClassifier, TensorFlow-written)', 'figure', 'ratio', 'target']];
  if (f.unavailable) return [...rows, ['unavailable', f.unavailable, '', '']];
  if (f.conversion) rows.push(['conversion at import', `${(f.conversion.ms / 1000).toFixed(2)} s, peak ${f.conversion.peak_rss_mb} MB (${f.conversion.weights_mb} MB of weights)`, '', '< 3 s']);
  const ips = f.images_per_s;
  for (const batch of ['batch_1', 'batch_32']) {
    if (!ips) break;
    const ours = ips.converted[batch];
    rows.push([`converted, ${batch.replace('_', ' ')}: images/s`, ours.toFixed(1), '', '']);
    rows.push([`  vs the sample's own network`, ips.sample[batch].toFixed(1), x(ours / ips.sample[batch]), '≥ 0.95x']);
    if (ips.tensorflow) rows.push([`  vs TensorFlow ${f.tensorflow ?? ''}`, ips.tensorflow[batch].toFixed(1), x(ours / ips.tensorflow[batch]), '≥ 1.5x']);
  }
  return rows;
}
