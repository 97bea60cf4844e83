/**
 * Runs schemathesis (the tests' Python environment) against an OpenAPI document the platform
 * serves, and reads its JSON report: the operations it tested, the cases it generated in each
 * phase (examples, coverage, fuzzing, stateful links), and what it found. The settings all
 * runs share are in schemathesis.toml; a run adds its own (dictionaries of real ids) to a copy.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { tempDir } from '../helpers/platform';
import type { TestVenv } from '../helpers/test-venv';

/** How long and how hard a run is: CI's bounded one, or `npm run test:fuzz`'s long one (FUZZ_EXAMPLES, FUZZ_SEED). */
export interface FuzzBudget {
  examples: number;
  seed: number;
}

export const CI_EXAMPLES = 5;
export const DEFAULT_SEED = 31;

export function fuzzBudget(env = process.env): FuzzBudget {
  const examples = Number(env.FUZZ_EXAMPLES ?? CI_EXAMPLES);
  const seed = Number(env.FUZZ_SEED ?? DEFAULT_SEED);
  if (!Number.isInteger(examples) || examples < 1 || !Number.isInteger(seed)) throw new Error('FUZZ_EXAMPLES must be a whole number ≥ 1 and FUZZ_SEED a whole number');
  return { examples, seed };
}

/** What the test reads of schemathesis' JSON report. */
export interface FuzzReport {
  operations: { selected: number; tested: number; errored: number };
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: unknown[];
  running_time: number;
  seed: number;
  phases: Record<string, { status: string }>;
}

export interface FuzzRun {
  report: FuzzReport;
  /** Schemathesis' own account of the run (its findings with the requests that reproduce them). */
  output: string;
  /** Where that account was saved. */
  outputFile: string;
}

export interface FuzzOptions {
  /** Where the document is (schemathesis also sends requests to its server). */
  document: string;
  headers?: Record<string, string>;
  /** TOML appended to schemathesis.toml for this run. */
  extraToml?: string;
  /** A request that takes longer than this (seconds) counts as hanging. */
  requestTimeoutS: number;
  label: string;
}

export async function runSchemathesis(venv: TestVenv, budget: FuzzBudget, opts: FuzzOptions): Promise<FuzzRun> {
  const dir = await tempDir(`fuzz-${opts.label}`);
  const config = path.join(dir, 'schemathesis.toml');
  const shared = await fs.readFile(repoPath('test', 'fuzz', 'schemathesis.toml'), 'utf8');
  await fs.writeFile(config, `${shared}\n${opts.extraToml ?? ''}`);
  const reportFile = path.join(dir, 'report.json');
  const args = ['--config-file', config, '--no-color', 'run', opts.document];
  for (const [name, value] of Object.entries(opts.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push('--max-examples', String(budget.examples), '--seed', String(budget.seed));
  // A request past the limit is a hang (a network error in the report); one slower than half of it is a finding.
  args.push('--request-timeout', String(opts.requestTimeoutS), '--max-response-time', String(opts.requestTimeoutS / 2));
  args.push('--report', 'json', '--report-json-path', reportFile, '--output-truncate', 'false');
  const output = await runTool(path.join(venv.bin, 'st'), args, dir);
  const outputFile = repoPath('test-output', 'fuzz', `${opts.label}.txt`);
  await fs.mkdir(path.dirname(outputFile), { recursive: true });
  await fs.writeFile(outputFile, output);
  const report = JSON.parse(await fs.readFile(reportFile, 'utf8').catch(() => 'null')) as FuzzReport | null;
  if (!report) throw new Error(`schemathesis wrote no report:\n${output.slice(-4000)}`);
  return { report, output, outputFile };
}

/** The tool's stdout and stderr together; its exit status says only whether it found something, which the report says better. */
function runTool(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.stderr.on('data', (c) => (text += c));
    child.once('error', reject);
    child.once('close', () => resolve(text));
  });
}

/** One line of figures for the test's output and docs/reliability.md. */
export function figures(label: string, run: FuzzRun, budget: FuzzBudget): string {
  const { report } = run;
  const phases = Object.entries(report.phases)
    .filter(([, p]) => p.status !== 'skip')
    .map(([name]) => name)
    .join(', ');
  const found = report.failures.reduce((n, f) => n + f.count, 0);
  return `${label}: ${report.operations.tested} operations, ${report.test_cases.generated} cases (${phases}), ${found} failures, ${report.errors.length} errors, ${report.running_time.toFixed(0)} s (seed ${budget.seed}, ${budget.examples} examples per operation)`;
}

/** What a failed run says: each finding with its code and operations, then where schemathesis' full account is. */
export function findings(run: FuzzRun): string {
  const lines = run.report.failures.map((f) => `${f.code} ${f.title} (${f.count}): ${f.operations.join(', ')}`);
  if (run.report.errors.length) lines.push(`${run.report.errors.length} errors: ${JSON.stringify(run.report.errors).slice(0, 2000)}`);
  return `${lines.join('\n')}\n(the requests that reproduce them: ${run.outputFile})`;
}
