import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../kernel/paths';

/**
 * The fenced code blocks of the README and docs/, each with the directive written just
 * above it (`<!-- doc: … -->`), which says how the docs runner treats it:
 *
 *   <!-- doc: run [session=NAME] -->       run it (sh/bash in a shell session that keeps its
 *                                           variables from block to block, js with node,
 *                                           python with the tests' Python); it must succeed
 *   <!-- doc: transcript [session=NAME] --> a terminal: each `$ ` line (with its `\` continuations)
 *                                           runs as above, and the lines up to the next `$ ` must
 *                                           have the shape of what it printed (as output-of says)
 *   <!-- doc: output-of=NAME -->           what the command NAME of doc-commands.ts prints:
 *                                           its shape is checked (every number may differ; `…`
 *                                           stands for any text, alone on a line for any lines)
 *   <!-- doc: example -->                  shown output or a fragment, not run: its figures differ
 *   <!-- doc: not-run REASON -->           a command that cannot run in the suite, and why
 *
 * A block of a language a user runs (sh, bash, js, python …) without a directive is an error,
 * so a new snippet cannot escape the runner.
 */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  directive?: Directive;
}

export type Directive =
  | { kind: 'run'; session: string }
  | { kind: 'transcript'; session: string }
  | { kind: 'output-of'; command: string }
  | { kind: 'example' }
  | { kind: 'not-run'; reason: string };

export const RUNNABLE_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'js', 'javascript', 'mjs', 'python', 'py', 'ts']);

/** README.md and every docs/*.md, as paths relative to the repository. */
export function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

export function blocksOf(file: string): DocBlock[] {
  const lines = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    blocks.push({ file, line: start + 1, lang: open[1], text: body.join('\n'), directive: directiveAbove(lines, start, file) });
  }
  return blocks;
}

/** The `<!-- doc: … -->` comment on the line above the fence (a blank line between is allowed). */
function directiveAbove(lines: string[], fence: number, file: string): Directive | undefined {
  let j = fence - 1;
  if (j >= 0 && lines[j].trim() === '') j--;
  const m = j >= 0 ? /^<!-- doc: (.*?) -->$/.exec(lines[j].trim()) : null;
  if (!m) return undefined;
  const [word, ...rest] = m[1].split(/\s+/);
  const arg = (name: string) => rest.find((r) => r.startsWith(`${name}=`))?.slice(name.length + 1);
  if (word === 'run' || word === 'transcript') return { kind: word, session: arg('session') ?? `${file}:${fence + 1}` };
  if (word.startsWith('output-of=')) return { kind: 'output-of', command: word.slice('output-of='.length) };
  if (word === 'example') return { kind: 'example' };
  if (word === 'not-run' && rest.length) return { kind: 'not-run', reason: rest.join(' ') };
  throw new Error(`${file}:${j + 1}: "<!-- doc: ${m[1]} -->" is not a directive the docs runner knows`);
}

/**
 * A page that needs a platform of its own says so once, anywhere on the page:
 * `<!-- doc: platform AUTH_TOKEN=… IAM_USERS=… -->`; every other page shares one.
 */
export function pageSettings(file: string): Record<string, string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const m = /<!-- doc: platform (.*?) -->/.exec(text);
  if (!m) return {};
  return Object.fromEntries(m[1].split(/\s+/).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** A transcript's commands, each with the output the page shows after it. */
export function transcriptSteps(text: string): { command: string; shown: string }[] {
  const steps: { command: string; shown: string[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('$ ')) {
      const command = [lines[i].slice(2)];
      while (command[command.length - 1].endsWith('\\') && i + 1 < lines.length) command.push(lines[++i]);
      steps.push({ command: command.join('\n'), shown: [] });
    } else if (steps.length) steps[steps.length - 1].shown.push(lines[i]);
  }
  return steps.map((s) => ({ command: s.command, shown: s.shown.join('\n') }));
}
