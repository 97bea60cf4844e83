/**
 * `npm run conformance:s3 -- <s3-tests checkout>`: runs the core subset of Ceph's s3-tests
 * (see s3-tests-subset.ts) against a fresh embedded store and prints the figure. Not part of
 * `npm test`: the suite is Python, lives outside this repository and takes minutes.
 *
 * S3_TESTS_PYTHON picks the interpreter (default: Debian's /usr/bin/python3 when present, with
 * python3-boto3 python3-pytest python3-munch python3-gevent python3-isodate python3-lxml
 * python3-httplib2 python3-yaml python3-tz); PYTHONPATH passes through, e.g. to a newer boto3.
 * Extra arguments after the checkout go to pytest (`-k test_multipart`, `-x` …).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startS3Server } from '../src';
import { deselectArgs, markerExpression, nameExpression, SUITE_FILES } from './s3-tests-subset';

const ACCESS_KEY = 'conformance-access-key';
const SECRET_KEY = 'conformance-secret-key';

/** Every user section of the suite's config gets the store's one account. */
function suiteConfig(port: number): string {
  const account = (email: string): string =>
    `display_name = modelarts-local\nuser_id = modelarts-local\nemail = ${email}\naccess_key = ${ACCESS_KEY}\nsecret_key = ${SECRET_KEY}\n`;
  return [
    `[DEFAULT]\nhost = 127.0.0.1\nport = ${port}\nis_secure = False\nssl_verify = False\n`,
    `[fixtures]\nbucket prefix = s3t-{random}-\niam name prefix = s3-tests-\niam path prefix = /s3-tests/\n`,
    `[s3 main]\napi_name = default\n${account('main@example.com')}`,
    `[s3 alt]\n${account('alt@example.com')}`,
    `[s3 tenant]\ntenant = testx\n${account('tenant@example.com')}`,
    `[iam]\n${account('iam@example.com')}`,
    `[iam root]\n${account('root@example.com')}`,
    `[iam alt root]\n${account('altroot@example.com')}`,
  ].join('\n');
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolveExit(code ?? 1));
  });
}

interface Tally {
  total: number;
  passed: number;
  failed: string[];
  skipped: number;
}

/** Counts of a JUnit report, overall and per test file, and the names of the tests that did not pass. */
function summarise(junit: string): { all: Tally; byFile: Map<string, Tally> } {
  const all: Tally = { total: 0, passed: 0, failed: [], skipped: 0 };
  const byFile = new Map<string, Tally>();
  for (const c of junit.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? []) {
    const name = /\bname="([^"]+)"/.exec(c)?.[1] ?? '?';
    const file = /\bclassname="[^"]*?([^".]+)"/.exec(c)?.[1] ?? '?';
    const tally = byFile.get(file) ?? { total: 0, passed: 0, failed: [], skipped: 0 };
    byFile.set(file, tally);
    for (const t of [all, tally]) {
      if (/<skipped\b/.test(c)) t.skipped += 1;
      else if (/<(failure|error)\b/.test(c)) t.failed.push(name);
      else t.passed += 1;
      if (!/<skipped\b/.test(c)) t.total += 1;
    }
  }
  return { all, byFile };
}

function line(label: string, t: Tally): string {
  const percent = t.total === 0 ? 0 : (100 * t.passed) / t.total;
  return `${label}: ${t.passed} of ${t.total} passed (${percent.toFixed(1)}%), ${t.skipped} skipped`;
}

async function main(): Promise<void> {
  const [suiteArg, ...pytestArgs] = process.argv.slice(2);
  // npm runs a workspace's script in its folder; a relative path means the caller's folder.
  const suite = resolve(process.env.INIT_CWD ?? '.', suiteArg ?? process.env.S3_TESTS_DIR ?? '');
  if (!suiteArg && !process.env.S3_TESTS_DIR) throw new Error('usage: npm run conformance:s3 -- <path to a ceph/s3-tests checkout> [pytest args]');
  if (!existsSync(join(suite, SUITE_FILES[0]))) throw new Error(`${suite} is not an s3-tests checkout (no ${SUITE_FILES[0]})`);
  const python = process.env.S3_TESTS_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const work = await mkdtemp(join(tmpdir(), 's3-conformance-'));
  const server = await startS3Server({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(work, 'data'),
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    region: 'us-east-1',
  });
  try {
    await writeFile(join(work, 's3tests.conf'), suiteConfig(server.port));
    const junitPath = join(work, 'junit.xml');
    const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...SUITE_FILES, '-m', markerExpression(), '-k', nameExpression()];
    args.push(...deselectArgs(), `--junitxml=${junitPath}`, ...pytestArgs);
    console.log(`s3-tests at ${suite} against ${server.endpoint} with ${python}`);
    await run(python, args, { cwd: suite, env: { ...process.env, S3TEST_CONF: join(work, 's3tests.conf') } });
    const { all, byFile } = summarise(await readFile(junitPath, 'utf8'));
    console.log(`\nnot passed: ${all.failed.join(' ') || 'none'}`);
    for (const [file, tally] of byFile) console.log(line(`  ${file}`, tally));
    console.log(line('core subset', all));
  } finally {
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
