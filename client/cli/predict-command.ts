/**
 * `predict`, in the manner of TF Serving's example client: `-i <image>` or
 * `-d <dir>`, `-p` for the probability of each class the answer holds (the model's every
 * class over TF Serving, the hook's top 5 through POST /), and for each image
 * `The most probable class for img_7.png is 7 with probability: 0.999995`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ClientError, PlatformClient } from '../api-client';
import { ParsedArgs, stringOption, UsageError } from './args';
import { ClassProbability, resolvePredictor } from './predict-targets';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp']);

export async function predictCommand(client: PlatformClient, args: ParsedArgs, out: (line: string) => void): Promise<void> {
  const files = await imagesToClassify(stringOption(args, 'image'), stringOption(args, 'dir'));
  const predictor = await resolvePredictor(client, {
    service: stringOption(args, 'service') ?? args.positionals[0],
    url: stringOption(args, 'url'),
    tfServing: args.options['tf-serving'] === true,
    field: stringOption(args, 'field'),
    appCode: stringOption(args, 'app-code'),
  });
  const all = args.options['probabilities'] === true;
  for (const [i, file] of files.entries()) {
    const classes = await predictor.classify(await fs.readFile(file), path.basename(file));
    if (all && i > 0) out('');
    for (const line of resultLines(path.basename(file), classes, all)) out(line);
  }
}

async function imagesToClassify(image: string | undefined, dir: string | undefined): Promise<string[]> {
  if (!image === !dir) throw new UsageError('give one image with -i <image> or a directory with -d <dir>');
  if (image) return [image];
  const names = (await fs.readdir(dir!)).filter((n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase()));
  if (!names.length) throw new ClientError(`${dir} holds no .png, .jpg or .bmp images`);
  return names.sort(naturalOrder).map((n) => path.join(dir!, n));
}

/** img_2.png before img_10.png. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

export function resultLines(fileName: string, classes: ClassProbability[], all: boolean): string[] {
  const best = classes.reduce((a, b) => (b.probability > a.probability ? b : a));
  const lines = all ? [...classes].sort((a, b) => naturalOrder(a.label, b.label)).map((c) => `Class ${c.label}: ${shortProbability(c.probability)}`) : [];
  lines.push(`The most probable class for ${fileName} is ${best.label} with probability: ${formatG(best.probability, 6)}`);
  return lines;
}

/** Three digits, but never a rounded-up "1" for a probability below one. */
function shortProbability(p: number): string {
  const short = formatG(p, 3);
  return short === '1' && p < 1 ? formatG(p, 6) : short;
}

/** Like C's %.<digits>g, as Python prints: 1.39e-14, 0.000123, 0.999995. */
export function formatG(value: number, digits: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= digits) {
    const [mantissa, exp] = value.toExponential(digits - 1).split('e');
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${trimZeros(mantissa)}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return trimZeros(value.toPrecision(digits));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
