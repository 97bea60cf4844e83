import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';
import { distPath } from '../../kernel/paths';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { ObjectStore } from '../../kernel/storage/object-store';
import { waitFor } from '../helpers/http';
import { uploadCode } from '../helpers/jobs';
import { trainedMnistPackage } from '../helpers/mnist-model';
import { tempDir } from '../helpers/platform';
import { killHard, spawnPlatform, type PlatformProcess } from '../helpers/process-platform';
import { checkAfterRestart, checkFilesAtRest, type Tally } from './crash-invariants';
import { BUCKET, CODE, newWorld, PACKAGE, seeded, startWork, type Platformish } from './crash-work';

const KILLS = Number(process.env.CRASH_KILLS ?? 100);
const SEED = Number(process.env.CRASH_SEED ?? 31);
/** The run fails rather than go on past this. */
const BUDGET_SECONDS = Number(process.env.CRASH_SECONDS ?? 600);
/** Kills land within this long of the work starting (or of the platform's start). */
const KILL_WINDOW_MS = 600;

interface Running extends Platformish {
  process: PlatformProcess;
}

async function start(dataDir: string): Promise<Running> {
  const p = await spawnPlatform({ DATA_DIR: dataDir }, 60_000);
  const s3 = new S3Client({ endpoint: p.storageEndpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: EMBEDDED_ACCESS_KEY_ID, secretAccessKey: EMBEDDED_SECRET_ACCESS_KEY } });
  return { url: p.url, s3, process: p };
}

/** Whether any of `pids` still runs: a process that has exited but is not reaped yet (a zombie) does not. */
async function anyRunning(pids: number[]): Promise<boolean> {
  for (const pid of pids) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
    if (stat && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') return true;
  }
  return false;
}

/** The pids of the platform's embedded store process (it writes the object files). */
async function storePids(pid: number): Promise<number[]> {
  const children = (await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean).map(Number);
  const stores: number[] = [];
  for (const child of children) {
    const cmdline = await fs.readFile(`/proc/${child}/cmdline`, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
    if (cmdline.includes('embedded-store-main')) stores.push(child);
  }
  return stores;
}

/**
 * SIGKILL to the platform — and, when `withStore`, to its embedded store at the same moment,
 * as a power cut would — then wait until the store has gone too: only then are its files at
 * rest. Killed alone, the platform leaves the store to finish what it is doing and exit; the
 * test's own connections to it are closed first (`hangUp`), since it lets them finish.
 */
async function kill(p: PlatformProcess, withStore: boolean, hangUp: () => void): Promise<void> {
  const stores = await storePids(p.child.pid!);
  if (withStore) for (const pid of stores) process.kill(pid, 'SIGKILL');
  await killHard(p);
  hangUp();
  await waitFor('the embedded store to exit with the platform', async () => ((await anyRunning(stores)) ? undefined : true), 10_000, 20);
}

/** A start cut short: SIGKILL within the window, whether or not it has printed its banner. */
async function killDuringStart(dataDir: string, random: () => number): Promise<void> {
  const child = spawn(process.execPath, [distPath('platform/main.js')], { env: { ...process.env, PORT: '0', OBS_PORT: '0', DATA_DIR: dataDir, PREPARE_SAMPLES: 'false' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await delay(random() * KILL_WINDOW_MS);
  const stores = child.exitCode === null ? await storePids(child.pid!) : [];
  child.kill('SIGKILL');
  await exited;
  await waitFor('the embedded store to exit with the platform', async () => ((await anyRunning(stores)) ? undefined : true), 10_000, 20);
}

/**
 * The platform killed with SIGKILL at random moments (seeded: CRASH_SEED) while uploads,
 * multipart uploads, deletes, imports, job versions and deploys run — half of the time its
 * embedded store with it, and now and then while it starts — then started again on the same data directory, CRASH_KILLS times (100 by
 * default). After each kill: the files at rest need no repair; after each restart: every
 * confirmed object is whole with its ETag, an unconfirmed one whole or absent, no model is
 * left publishing or points at a missing package, no job version runs without a process,
 * no Completed one lacks its output, and the service runs a published model.
 */
describe('crash consistency: SIGKILL at random moments, then a restart on the same data [heavy]', function () {
  this.timeout((BUDGET_SECONDS + 180) * 1000);
  let running: Running | undefined;

  after(async () => {
    if (running) await killHard(running.process);
  });

  it(`keeps every invariant over ${KILLS} kills`, async () => {
    const began = Date.now();
    const random = seeded(SEED);
    const dataDir = await tempDir('crash');
    const world = newWorld();
    const tally: Tally = { checked: 0, violations: [], leftovers: 0 };
    running = await start(dataDir);
    const setup = new ObjectStore({ endpoint: running.process.storageEndpoint, accessKeyId: EMBEDDED_ACCESS_KEY_ID, secretAccessKey: EMBEDDED_SECRET_ACCESS_KEY, region: 'us-east-1' });
    await setup.ensureBucket(BUCKET);
    await setup.uploadDir(await trainedMnistPackage(), parseObsUrl(PACKAGE));
    await uploadCode(setup, CODE, ['sleep-then-write.js']);
    setup.destroy();
    let kills = 0;
    let duringStart = 0;
    while (kills < KILLS) {
      assert.ok(Date.now() - began < BUDGET_SECONDS * 1000, `only ${kills} kills in ${BUDGET_SECONDS} s (CRASH_SECONDS)`);
      const work = startWork(running, world, random);
      await delay(random() * KILL_WINDOW_MS);
      const s3 = running.s3;
      await kill(running.process, random() < 0.5, () => s3.destroy());
      running = undefined;
      await work;
      kills++;
      await checkFilesAtRest(dataDir, tally);
      if (random() < 0.15 && kills < KILLS) {
        await killDuringStart(dataDir, random);
        kills++;
        duringStart++;
        await checkFilesAtRest(dataDir, tally);
      }
      running = await start(dataDir);
      await checkAfterRestart(running, world, tally);
    }
    const seconds = (Date.now() - began) / 1000;
    process.stdout.write(
      `      ${kills} kills (${duringStart} during start-up), ${tally.checked} invariants checked, ${tally.violations.length} violations, ` +
        `${tally.leftovers} uncommitted writes cleaned at start, ${world.objects.size} objects, ${world.imports.size} imports tracked; ` +
        `${seconds.toFixed(0)} s, seed ${SEED}, load average ${os.loadavg()[0].toFixed(1)}\n`,
    );
    assert.deepEqual(tally.violations, []);
  });
});
