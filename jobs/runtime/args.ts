/**
 * The command line the platform gives a boot file: `--data_url=<dir> --train_url=<dir>`
 * and every parameter as `--name=value` (also accepted: `--name value`, `--flag`).
 */
export type Args = Record<string, string>;

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      out[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[arg.slice(2)] = argv[++i];
    } else {
      out[arg.slice(2)] = 'true';
    }
  }
  return out;
}

/** A numeric argument with a default; a value that is not a number stops the job with a clear message. */
export function numberArg(args: Args, name: string, fallback: number): number {
  const raw = args[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name}=${raw} is not a number`);
  return value;
}

export function stringArg(args: Args, name: string, fallback?: string): string {
  const value = args[name] ?? fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}
