import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ACTIVE_MS, BEAT_MS, ThreadShare } from '../../compute/thread-share';
import { distPath } from '../../kernel/paths';
import { nativeUnavailable } from './helpers/native';

const run = promisify(execFile);

function tempShareDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'thread-share-'));
}

describe('compute threads shared among the processes computing at once', function () {
  this.timeout(60_000);

  it('takes all of COMPUTE_THREADS alone, an equal share beside others, and all again when they stop', () => {
    const dir = tempShareDir();
    let now = 1_000_000;
    const applied: number[] = [];
    const share = new ThreadShare(dir, 4, (n) => applied.push(n), () => now);
    share.beat();
    fs.writeFileSync(path.join(dir, '999991'), String(now));
    now += BEAT_MS;
    share.beat();
    fs.writeFileSync(path.join(dir, '999992'), String(now));
    fs.writeFileSync(path.join(dir, '999993'), String(now));
    now += BEAT_MS;
    share.beat();
    now += ACTIVE_MS + BEAT_MS;
    share.beat();
    assert.deepEqual(applied, [4, 2, 1, 4]);
    share.leave();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['999991', '999992', '999993']);
  });

  it('recounts no more often than every half second', () => {
    const dir = tempShareDir();
    let now = 5_000;
    let counts = 0;
    const share = new ThreadShare(dir, 2, () => counts++, () => now);
    for (let i = 0; i < 100; i++) share.beat();
    fs.writeFileSync(path.join(dir, '999994'), String(now));
    now += BEAT_MS - 1;
    share.beat();
    assert.equal(share.threads, 2);
    now += 1;
    share.beat();
    assert.equal(share.threads, 1);
    share.leave();
  });

  it('removes files that processes which ended long ago left behind', () => {
    const dir = tempShareDir();
    const now = 100_000_000;
    fs.writeFileSync(path.join(dir, '999995'), String(now - 11 * 60_000));
    fs.writeFileSync(path.join(dir, '999996'), String(now - 60_000));
    const share = new ThreadShare(dir, 2, () => undefined, () => now);
    share.beat();
    assert.deepEqual(fs.readdirSync(dir).sort(), [String(process.pid), '999996']);
    share.leave();
  });

  it('gives two native processes computing at once one thread each of two, and one alone both', async function () {
    if (nativeUnavailable()) this.skip();
    const dir = tempShareDir();
    // Products until a deadline common to the processes started together; the threads the
    // addon was set to a second before it, when all of them have computed for a while.
    const code = `
      const { startNativeBackend } = require(${JSON.stringify(distPath('compute/native-backend.js'))});
      const { loadComputeConfig } = require(${JSON.stringify(distPath('kernel/config.js'))});
      (async () => {
        const tf = require('@tensorflow/tfjs');
        const native = startNativeBackend(tf, loadComputeConfig());
        await tf.setBackend('native');
        const a = tf.randomNormal([96, 96]);
        const deadline = Number(process.env.DEADLINE);
        let threads;
        while (Date.now() < deadline) {
          tf.tidy(() => tf.matMul(a, a).dataSync());
          if (threads === undefined && Date.now() >= deadline - 1000) threads = native.addon.info().threads;
        }
        console.log(threads);
      })();`;
    const threads = async (deadline: number) => {
      const env = { ...process.env, COMPUTE_SHARE_DIR: dir, COMPUTE_THREADS: '2', DEADLINE: String(deadline) };
      return (await run(process.execPath, ['-e', code], { env, cwd: distPath() })).stdout.trim();
    };
    const together = Date.now() + 8000;
    assert.deepEqual(await Promise.all([threads(together), threads(together)]), ['1', '1']);
    assert.equal(await threads(Date.now() + 4000), '2');
  });
});
