import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { choosePython } from '../../kernel/process/python';
import { obsEnv, SHARED_PYTHON_DIR } from '../../kernel/storage/obs-env';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { PythonSession } from '../helpers/python-session';

/**
 * Every mox.file call through real Python and boto3: against the platform's embedded store
 * (obs:// and s3:// paths) and against a local folder, each asserting what the call's local
 * twin (os.listdir, shutil.copytree …) would do.
 */
describe('moxing: mox.file against the embedded store and a local folder', function () {
  this.timeout(60_000);
  let platform: TestPlatform;
  let py: PythonSession;
  let localRoot: string;
  const BUCKET = 'mox-calls';

  before(async () => {
    platform = await startTestPlatform();
    await platform.store.ensureBucket(BUCKET);
    localRoot = await tempDir('moxing');
    const python = await choosePython(process.env.PYTHON, { modules: ['boto3'] });
    const obs = { ...platform.config.obs, endpoint: platform.platform.context.storageEndpoint };
    py = PythonSession.start(python.command, { PATH: process.env.PATH, HOME: localRoot, PYTHONPATH: SHARED_PYTHON_DIR, ...obsEnv(obs) });
    await py.run('import os, io, stat, moxing as mox');
  });

  after(async () => {
    await py?.close();
    await platform?.close();
    await fs.rm(localRoot, { recursive: true, force: true });
  });

  const roots: [string, () => string][] = [
    ['obs://', () => `obs://${BUCKET}`],
    ['s3://', () => `s3://${BUCKET}`],
    ['a local folder', () => localRoot],
  ];

  for (const [where, root] of roots) {
    describe(`on ${where}`, () => {
      let n = 0;
      /** A fresh folder path for one test, with a.txt, b.bin and sub/c.txt in it. */
      async function folder(): Promise<string> {
        const dir = `${root()}/${where.replace(/\W/g, '')}-${++n}`;
        await py.run(`d = ${JSON.stringify(dir)}
mox.file.make_dirs(d)
mox.file.write(d + '/a.txt', 'alpha\\nbeta\\n')
mox.file.write(d + '/b.bin', b'\\x00\\x01\\x02', binary=True)
mox.file.make_dirs(d + '/sub')
mox.file.write(d + '/sub/c.txt', 'gamma')`);
        return dir;
      }
      const q = JSON.stringify;

      it('write, read and append text and bytes', async () => {
        const d = await folder();
        assert.equal(await py.run(`result = mox.file.read(${q(d + '/a.txt')})`), 'alpha\nbeta\n');
        assert.deepEqual(await py.run(`result = list(mox.file.read(${q(d + '/b.bin')}, binary=True))`), [0, 1, 2]);
        await py.run(`mox.file.append(${q(d + '/a.txt')}, 'gamma\\n')`);
        assert.equal(await py.run(`result = mox.file.read(${q(d + '/a.txt')})`), 'alpha\nbeta\ngamma\n');
        await py.run(`mox.file.append(${q(d + '/new.txt')}, 'first')`);
        assert.equal(await py.run(`result = mox.file.read(${q(d + '/new.txt')})`), 'first');
      });

      it('exists and is_directory for files, folders and missing paths', async () => {
        const d = await folder();
        const r = await py.run(`result = [mox.file.exists(p) for p in (${q(d + '/a.txt')}, ${q(d)}, ${q(d + '/sub')}, ${q(d + '/nope')})] + \\
  [mox.file.is_directory(p) for p in (${q(d + '/a.txt')}, ${q(d)}, ${q(d + '/sub')}, ${q(d + '/nope')})]`);
        assert.deepEqual(r, [true, true, true, false, false, true, true, false]);
      });

      it('list_directory: names like os.listdir, and every file and folder below with recursive', async () => {
        const d = await folder();
        assert.deepEqual(await py.run(`result = mox.file.list_directory(${q(d)})`), ['a.txt', 'b.bin', 'sub']);
        assert.deepEqual(await py.run(`result = mox.file.list_directory(${q(d)}, recursive=True)`), ['a.txt', 'b.bin', 'sub', 'sub/c.txt']);
      });

      it('make_dirs and mk_dir make folders that list as folders', async () => {
        const d = await folder();
        await py.run(`mox.file.make_dirs(${q(d + '/x/y/z')}); mox.file.mk_dir(${q(d + '/w')}); mox.file.make_dirs(${q(d + '/x/y/z')})`);
        assert.deepEqual(await py.run(`result = [mox.file.is_directory(${q(d + '/x/y/z')}), mox.file.is_directory(${q(d + '/w')})]`), [true, true]);
        assert.ok((await py.run<string[]>(`result = mox.file.list_directory(${q(d)})`)).includes('w'));
      });

      it('get_size: a file, a folder (0 unless recursive), a missing path', async () => {
        const d = await folder();
        assert.deepEqual(await py.run(`result = [mox.file.get_size(${q(d + '/a.txt')}), mox.file.get_size(${q(d)}), mox.file.get_size(${q(d)}, recursive=True)]`), [11, 0, 19]);
        assert.equal((await py.raises(`mox.file.get_size(${q(d + '/nope')})`)).type, 'FileNotFoundError');
      });

      it('remove: a file, a folder only with recursive, a missing path', async () => {
        const d = await folder();
        await py.run(`mox.file.remove(${q(d + '/a.txt')})`);
        assert.equal(await py.run(`result = mox.file.exists(${q(d + '/a.txt')})`), false);
        assert.equal((await py.raises(`mox.file.remove(${q(d + '/sub')})`)).type, 'IsADirectoryError');
        await py.run(`mox.file.remove(${q(d)}, recursive=True)`);
        assert.equal(await py.run(`result = mox.file.exists(${q(d)})`), false);
        assert.equal((await py.raises(`mox.file.remove(${q(d + '/gone')})`)).type, 'FileNotFoundError');
      });

      it('rename a file and a folder', async () => {
        const d = await folder();
        await py.run(`mox.file.rename(${q(d + '/a.txt')}, ${q(d + '/renamed.txt')}); mox.file.rename(${q(d + '/sub')}, ${q(d + '/moved')})`);
        assert.deepEqual(await py.run(`result = mox.file.list_directory(${q(d)}, recursive=True)`), ['b.bin', 'moved', 'moved/c.txt', 'renamed.txt']);
        assert.equal(await py.run(`result = mox.file.read(${q(d + '/moved/c.txt')})`), 'gamma');
      });

      it('scan_dir: entries with name, path, is_dir, is_file and stat, as a context manager', async () => {
        const d = await folder();
        const entries = await py.run(`with mox.file.scan_dir(${q(d)}) as it:
    result = sorted((e.name, e.is_dir(), e.is_file(), e.stat().st_size if e.is_file() else None, e.path) for e in it)`);
        assert.deepEqual(entries, [
          ['a.txt', false, true, 11, `${d}/a.txt`],
          ['b.bin', false, true, 3, `${d}/b.bin`],
          ['sub', true, false, null, `${d}/sub`],
        ]);
      });

      it('stat: st_size, st_mtime near now, st_mode telling a file from a folder', async () => {
        const d = await folder();
        const [size, age, isFile, isDir] = await py.run(`import time
s, f = mox.file.stat(${q(d + '/a.txt')}), mox.file.stat(${q(d + '/sub')})
result = [s.st_size, abs(time.time() - s.st_mtime), stat.S_ISREG(s.st_mode), stat.S_ISDIR(f.st_mode)]`);
        assert.deepEqual([size, isFile, isDir], [11, true, true]);
        assert.ok(age < 120, `st_mtime is ${age} s away from now`);
        assert.equal((await py.raises(`mox.file.stat(${q(d + '/nope')})`)).type, 'FileNotFoundError');
      });

      it('walk: top-down folders with their sub-folders and files, and bottom-up', async () => {
        const d = await folder();
        assert.deepEqual(await py.run(`result = [[p, sorted(ds), sorted(fs)] for p, ds, fs in mox.file.walk(${q(d)})]`), [
          [d, ['sub'], ['a.txt', 'b.bin']],
          [`${d}/sub`, [], ['c.txt']],
        ]);
        assert.deepEqual(await py.run(`result = [p for p, _, _ in mox.file.walk(${q(d)}, topdown=False)]`), [`${d}/sub`, d]);
      });

      it('glob: * stays inside one folder level; no match is an empty list', async () => {
        const d = await folder();
        assert.deepEqual(await py.run(`result = mox.file.glob(${q(d + '/*.txt')})`), [`${d}/a.txt`]);
        assert.deepEqual(await py.run(`result = mox.file.glob(${q(d + '/*/c.*')})`), [`${d}/sub/c.txt`]);
        assert.deepEqual(await py.run(`result = mox.file.glob(${q(d + '/?.bin')})`), [`${d}/b.bin`]);
        assert.deepEqual(await py.run(`result = mox.file.glob(${q(d + '/*.none')})`), []);
      });

      it('File: streamed text lines, binary seek and tell, write and append modes', async () => {
        const d = await folder();
        assert.deepEqual(await py.run(`with mox.file.File(${q(d + '/a.txt')}, 'r') as f:
    result = [line for line in f]`), ['alpha\n', 'beta\n']);
        assert.deepEqual(await py.run(`with mox.file.File(${q(d + '/big.bin')}, 'wb') as f:
    for i in range(3):
        f.write(bytes([i]) * (5 * 1024 * 1024))
with mox.file.File(${q(d + '/big.bin')}, 'rb') as f:
    f.seek(10 * 1024 * 1024 - 2)
    head = list(f.read(4))
    result = [head, f.tell(), mox.file.get_size(${q(d + '/big.bin')})]`), [[1, 1, 2, 2], 10 * 1024 * 1024 + 2, 15 * 1024 * 1024]);
        await py.run(`with mox.file.File(${q(d + '/a.txt')}, 'a') as f:
    f.write('delta')`);
        assert.equal(await py.run(`result = mox.file.read(${q(d + '/a.txt')})`), 'alpha\nbeta\ndelta');
        assert.equal((await py.raises(`mox.file.File(${q(d + '/nope.txt')}, 'r')`)).type, 'FileNotFoundError');
      });

      it('copy: one file to OBS and to a local path, in every direction', async () => {
        const d = await folder();
        const local = path.join(localRoot, `copy-${where.replace(/\W/g, '')}-${n}`);
        const obs = `obs://${BUCKET}/copies-${where.replace(/\W/g, '')}-${n}`;
        await py.run(`mox.file.copy(${q(d + '/a.txt')}, ${q(local + '/deep/a.txt')})
mox.file.copy(${q(d + '/b.bin')}, ${q(obs + '/b.bin')})
mox.file.copy(${q(obs + '/b.bin')}, ${q(d + '/b2.bin')})`);
        assert.equal(await fs.readFile(path.join(local, 'deep', 'a.txt'), 'utf8'), 'alpha\nbeta\n');
        assert.deepEqual(await py.run(`result = list(mox.file.read(${q(d + '/b2.bin')}, binary=True))`), [0, 1, 2]);
        assert.equal((await py.raises(`mox.file.copy(${q(d + '/sub')}, ${q(d + '/sub2')})`)).type, 'IsADirectoryError');
      });

      it('copy_parallel: a folder\'s contents to OBS and to a local folder, one file, threads, and "No files to copy"', async () => {
        const d = await folder();
        const tag = `${where.replace(/\W/g, '')}-${n}`;
        const local = path.join(localRoot, `parallel-${tag}`);
        const obs = `obs://${BUCKET}/parallel-${tag}`;
        await py.run(`mox.file.copy_parallel(${q(d)}, ${q(local)}, threads=4, is_processing=False)
mox.file.copy_parallel(${q(d + '/')}, ${q(obs)})
mox.file.copy_parallel(${q(d + '/a.txt')}, ${q(obs + '/single.txt')})`);
        assert.deepEqual(await py.run(`result = mox.file.list_directory(${q(local)}, recursive=True)`), ['a.txt', 'b.bin', 'sub', 'sub/c.txt']);
        assert.deepEqual(await py.run(`result = mox.file.list_directory(${q(obs)}, recursive=True)`), ['a.txt', 'b.bin', 'single.txt', 'sub', 'sub/c.txt']);
        const empty = await py.raises(`mox.file.copy_parallel(${q(d + '/missing')}, ${q(local + '-none')})`);
        assert.match(empty.message, /^No files to copy/);
      });

      it('shift(\'os\', \'mox\') lets open, os.* and shutil take these paths, and shift(\'mox\', \'os\') puts them back', async () => {
        const d = await folder();
        const r = await py.run(`import shutil, glob, builtins
original_open = builtins.open
mox.file.shift('os', 'mox')
try:
    with open(${q(d + '/shifted.txt')}, 'w') as f:
        f.write('via open')
    os.makedirs(${q(d + '/made')}, exist_ok=True)
    shutil.copyfile(${q(d + '/shifted.txt')}, ${q(d + '/made/copy.txt')})
    result = [sorted(os.listdir(${q(d)})), os.path.exists(${q(d + '/made/copy.txt')}), os.path.isdir(${q(d + '/made')}),
              os.path.getsize(${q(d + '/shifted.txt')}), open(${q(d + '/made/copy.txt')}).read(), len(glob.glob(${q(d + '/*.txt')})),
              [p for p, _, _ in os.walk(${q(d)})][0], os.stat(${q(d + '/a.txt')}).st_size]
    os.remove(${q(d + '/shifted.txt')})
    shutil.rmtree(${q(d + '/made')})
    result.append(sorted(os.listdir(${q(d)})))
finally:
    mox.file.shift('mox', 'os')
result.append(builtins.open is original_open)`);
        assert.deepEqual(r, [
          ['a.txt', 'b.bin', 'made', 'shifted.txt', 'sub'],
          true,
          true,
          8,
          'via open',
          2,
          d,
          11,
          ['a.txt', 'b.bin', 'sub'],
          true,
        ]);
      });
    });
  }

  describe('set_auth and the environment', () => {
    it('reaches the store named by S3_ENDPOINT and the job\'s keys; set_auth with wrong keys is refused, then right keys work again', async () => {
      const endpoint = new URL(platform.platform.context.storageEndpoint);
      const err = await py.raises(`mox.file.set_auth(ak='wrong', sk='wrong-secret')
mox.file.exists('obs://${BUCKET}/x.txt')`);
      assert.equal(err.type, 'PermissionError');
      await py.run(`mox.file.set_auth(ak=${JSON.stringify(platform.config.obs.accessKeyId)}, sk=${JSON.stringify(platform.config.obs.secretAccessKey)},
  server=${JSON.stringify(endpoint.hostname)}, port=${endpoint.port}, is_secure=False, ssl_verify=False)
mox.file.write('obs://${BUCKET}/auth.txt', 'ok')`);
      const stored = await platform.store.getBuffer({ bucket: BUCKET, key: 'auth.txt' }, 1024);
      assert.equal(stored.toString(), 'ok');
    });

    it('the import forms ModelArts code uses: moxing.framework.file, moxing.tensorflow and moxing.pytorch', async () => {
      const same = await py.run(`import moxing.framework, moxing.tensorflow, moxing.pytorch
result = [m.file is mox.file for m in (moxing.framework, moxing.tensorflow, moxing.pytorch)]`);
      assert.deepEqual(same, [true, true, true]);
    });
  });
});
