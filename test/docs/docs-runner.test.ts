import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, distPath } from '../../kernel/paths';
import { killHard, PlatformProcess, spawnPlatform } from '../helpers/process-platform';
import { tempDir } from '../helpers/platform';
import { testVenv } from '../helpers/test-venv';
import { blocksOf, DocBlock, docFiles, pageSettings, transcriptSteps } from './markdown-blocks';
import { DocShell } from './doc-shell';
import { shapeMismatch } from './shape';
import { DOC_COMMANDS, START_BANNER } from './doc-commands';

const run = promisify(execFile);
const BLOCK_TIMEOUT_MS = 10 * 60_000;

/**
 * README.md and docs/*.md, top to bottom, as a newcomer copies them: every block marked
 * `run` runs against a platform started as `npm start` starts it (pages that ask for
 * settings get one of their own), and every output a page shows has the shape of what the
 * command prints now. See markdown-blocks.ts for the directives.
 */
describe('the README and docs run as written [heavy]', function () {
  this.timeout(BLOCK_TIMEOUT_MS);
  const platforms = new Map<string, Promise<PlatformProcess>>();
  let bin: string;

  before(async () => {
    bin = await tempDir('doc-bin');
    // `modelarts-local` as `npm link` puts it on the PATH.
    await fs.writeFile(path.join(bin, 'modelarts-local'), `#!/bin/sh\nexec "${process.execPath}" "${distPath('client/cli/main.js')}" "$@"\n`, { mode: 0o755 });
  });
  after(async () => {
    for (const p of platforms.values()) await killHard(await p);
  });

  function platformFor(file: string): Promise<PlatformProcess> {
    const settings = pageSettings(file);
    const key = JSON.stringify(settings);
    if (!platforms.has(key)) platforms.set(key, tempDir('doc-data').then((dir) => spawnPlatform({ DATA_DIR: path.join(dir, 'data'), PREPARE_SAMPLES: 'true', ...settings }, 120_000)));
    return platforms.get(key)!;
  }

  /** The page's addresses are the default ones; the runner's platform listens on free ports. */
  function localise(text: string, p: PlatformProcess): string {
    return text.replaceAll('http://127.0.0.1:8080', p.url).replaceAll('http://127.0.0.1:9000', p.storageEndpoint);
  }

  // DOC_FILES=README.md,docs/cli.md runs those pages alone.
  const only = process.env.DOC_FILES?.split(',');
  for (const file of docFiles().filter((f) => !only || only.includes(f))) {
    const blocks = blocksOf(file).filter((b) => ['run', 'transcript', 'output-of'].includes(b.directive?.kind ?? ''));
    if (!blocks.length) continue;
    describe(file, () => {
      const shells = new Map<string, DocShell>();
      after(() => shells.forEach((s) => s.close()));

      const shell = async (session: string): Promise<DocShell> => {
        if (!shells.has(session)) {
          const p = await platformFor(file);
          const s = new DocShell(REPO_ROOT, { ...process.env, PATH: `${bin}:${process.env.PATH}`, PLATFORM_URL: p.url });
          s.start();
          shells.set(session, s);
        }
        return shells.get(session)!;
      };

      for (const block of blocks) {
        const what = { run: 'runs', transcript: 'runs as its transcript shows' }[block.directive!.kind as string] ?? `shows what ${(block.directive as { command: string }).command} prints`;
        it(`${file}:${block.line} ${what}`, async () => {
          const p = await platformFor(file);
          if (block.directive!.kind === 'output-of') return checkOutput(block, p, shell);
          if (block.directive!.kind === 'transcript') return checkTranscript(block, p, shell, localise);
          await runBlock(block, p, shell, localise);
        });
      }
    });
  }
});

async function runBlock(block: DocBlock, p: PlatformProcess, shell: (s: string) => Promise<DocShell>, localise: (t: string, p: PlatformProcess) => string): Promise<void> {
  const text = localise(block.text, p);
  const where = `${block.file}:${block.line}`;
  if (['js', 'javascript', 'mjs', 'python', 'py'].includes(block.lang)) {
    const dir = path.join(REPO_ROOT, 'test-output', 'docs');
    await fs.mkdir(dir, { recursive: true });
    const python = block.lang.startsWith('py');
    const file = path.join(dir, `${block.file.replace(/\W/g, '_')}_${block.line}.${python ? 'py' : block.lang === 'mjs' ? 'mjs' : 'cjs'}`);
    await fs.writeFile(file, text);
    const interpreter = python ? (testVenv().venv?.python ?? 'python3') : process.execPath;
    const { stdout } = await run(interpreter, [file], { cwd: REPO_ROOT, env: { ...process.env, PLATFORM_URL: p.url }, maxBuffer: 64 << 20 }).catch((err) => {
      throw new Error(`${where} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    return void stdout;
  }
  const session = (block.directive as { session: string }).session;
  const result = await (await shell(session)).run(text, BLOCK_TIMEOUT_MS);
  assert.deepEqual(result.failures, [], `${where}: a command failed\n${result.output.slice(-6000)}`);
}

async function checkOutput(block: DocBlock, p: PlatformProcess, shell: (s: string) => Promise<DocShell>): Promise<void> {
  const name = (block.directive as { command: string }).command;
  let printed: string;
  if (name === START_BANNER) printed = p.output().split('\n').filter((l) => /^(ModelArts Local|\s{2}\S)/.test(l)).join('\n');
  else {
    const command = DOC_COMMANDS[name];
    assert.ok(command, `${block.file}:${block.line}: no command is named ${name} in test/docs/doc-commands.ts`);
    const result = await (await shell(`output-of ${name}`)).run(command, BLOCK_TIMEOUT_MS);
    assert.deepEqual(result.failures, [], `${command} failed:\n${result.output}`);
    printed = result.output;
  }
  const wrong = shapeMismatch(block.text, printed);
  assert.equal(wrong, undefined, `${block.file}:${block.line}: ${wrong}\n--- the command printed:\n${printed}`);
}

async function checkTranscript(block: DocBlock, p: PlatformProcess, shell: (s: string) => Promise<DocShell>, localise: (t: string, p: PlatformProcess) => string): Promise<void> {
  const session = await shell((block.directive as { session: string }).session);
  for (const step of transcriptSteps(block.text)) {
    const where = `${block.file}:${block.line}, $ ${step.command.split('\n')[0]}`;
    const result = await session.run(localise(step.command, p), BLOCK_TIMEOUT_MS);
    assert.deepEqual(result.failures, [], `${where}: it failed\n${result.output.slice(-6000)}`);
    const wrong = shapeMismatch(localise(step.shown, p), result.output);
    assert.equal(wrong, undefined, `${where}: ${wrong}\n--- the command printed:\n${result.output}`);
  }
}
