/**
 * Command-line words, read with Node's own parser (`node:util` parseArgs, strict):
 * positionals, `--name value`, `--name=value`, `-x value`, flags without a value, and
 * options that may repeat. Unknown options are errors, so a typo never passes silently.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  /** Long name without dashes; short alias without its dash. */
  name: string;
  short?: string;
  /** Takes no value. */
  flag?: boolean;
  /** May be given several times. */
  repeat?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

export class UsageError extends Error {}

export function parseCommandLine(words: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = Object.fromEntries(
    specs.map((s) => [s.name, { type: s.flag ? ('boolean' as const) : ('string' as const), ...(s.short && { short: s.short }), ...(s.repeat && { multiple: true }) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...words], options, allowPositionals: true, strict: true });
    return { positionals, options: values as ParsedArgs['options'] };
  } catch (err) {
    throw new UsageError(usageMessage(err as Error & { code?: string }));
  }
}

/** parseArgs' messages, in this command line's words. */
function usageMessage(err: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (/does not take an argument/.test(err.message)) return `${option} takes no value`;
  if (/argument missing/.test(err.message)) return `${option.replace(/,$/, '')} needs a value`;
  return err.message;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredOption(args: ParsedArgs, name: string): string {
  const v = stringOption(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  return Array.isArray(v) ? v : [];
}
