import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { moveIntoPlace, removeTree, stageFile, writeFileAtomic } from '../src';

describe('durable file writes', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'durable-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a file with text, bytes or a stream, leaving no temporary file beside it', async () => {
    const target = join(dir, 'doc.json');
    await writeFile(target, 'old');
    await writeFileAtomic(target, '{"text":true}');
    assert.equal(await readFile(target, 'utf8'), '{"text":true}');
    await writeFileAtomic(target, Buffer.from('bytes'));
    assert.equal(await readFile(target, 'utf8'), 'bytes');
    await writeFileAtomic(target, Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    assert.equal(await readFile(target, 'utf8'), 'stream');
    assert.deepEqual(await readdir(dir), ['doc.json']);
  });

  it('keeps the old content and removes the partial file when the stream fails', async () => {
    const target = join(dir, 'model.bin');
    await writeFile(target, 'previous');
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('half of it');
      throw new Error('the source broke off');
    }
    await assert.rejects(writeFileAtomic(target, broken()), /broke off/);
    assert.equal(await readFile(target, 'utf8'), 'previous');
    assert.deepEqual(await readdir(dir), ['model.bin']);
  });

  it('stages in the staging directory when one is given, and reports the size staged', async () => {
    const staging = join(dir, 'staging');
    await mkdir(staging);
    const staged = await stageFile('five!', staging);
    assert.equal(staged.size, 5);
    assert.deepEqual(await readdir(staging), [staged.path.slice(staging.length + 1)]);
    await writeFileAtomic(join(dir, 'out.txt'), 'via staging', staging);
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'via staging');
    assert.equal((await readdir(staging)).length, 1, 'only the file staged before remains');
  });

  it('moves a finished directory into place and removes a tree by moving it aside first', async () => {
    const staging = join(dir, 'staging');
    await mkdir(staging);
    const built = join(staging, 'built');
    await mkdir(built);
    await writeFile(join(built, 'a.txt'), 'a');
    await moveIntoPlace(built, join(dir, 'epoch-0001'));
    assert.equal(await readFile(join(dir, 'epoch-0001', 'a.txt'), 'utf8'), 'a');
    await removeTree(join(dir, 'epoch-0001'), staging);
    assert.deepEqual((await readdir(dir)).sort(), ['staging']);
    assert.deepEqual(await readdir(staging), []);
  });
});
