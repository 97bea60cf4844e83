/**
 * Command-line words: positionals, `--name value`, `--name=value`, `-x value`, flags
 * without a value, and options that may repeat. Unknown options are errors, so a
 * typo never passes silently.
 */
import { PlatformError } from '../../kernel/errors';
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
  options: Record<string, string | boolean | string[]>;
}

export class UsageError extends PlatformError {}

export function parseCommandLine(words: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const [key, inline] = word.startsWith('--') ? splitOnce(word.slice(2)) : [word.slice(1), undefined];
    const spec = specs.find((s) => (word.startsWith('--') ? s.name === key : s.short === key));
    if (!spec) throw new UsageError(`unknown option ${word}`);
    if (spec.flag) {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      options[spec.name] = true;
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined) throw new UsageError(`${word} needs a value`);
    if (spec.repeat) options[spec.name] = [...((options[spec.name] as string[] | undefined) ?? []), value];
    else options[spec.name] = value;
  }
  return { positionals, options };
}

function splitOnce(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
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
