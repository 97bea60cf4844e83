import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startS3Server } from '@modelarts-local/s3-server';
import { ObjectStore } from '../../kernel/storage/object-store';
import { tempDir } from '../helpers/platform';

describe('OBS URLs', () => {
  it('parses obs://, s3:// and the console\'s /bucket/key form', () => {
    assert.deepEqual(parseObsUrl('obs://test-modelarts/mnist/dataset-mnist/'), { bucket: 'test-modelarts', key: 'mnist/dataset-mnist/' });
    assert.deepEqual(parseObsUrl('s3://test-modelarts/a.txt'), { bucket: 'test-modelarts', key: 'a.txt' });
    assert.deepEqual(parseObsUrl('/test-modelarts/mnist/'), { bucket: 'test-modelarts', key: 'mnist/' });
    assert.deepEqual(parseObsUrl('obs://test-modelarts'), { bucket: 'test-modelarts', key: '' });
  });

  it("names the same bucket and key with ModelArts' OBS web addresses (virtual-hosted and path style)", () => {
    assert.deepEqual(parseObsUrl('https://models.obs.cn-north-4.myhuaweicloud.com/mnist'), { bucket: 'models', key: 'mnist' });
    assert.deepEqual(parseObsUrl('https://obs.cn-north-4.myhuaweicloud.com/models/mnist/model/'), { bucket: 'models', key: 'mnist/model/' });
    assert.deepEqual(parseObsUrl('https://my.bucket.obs.eu-de.otc.t-systems.com/a%20b.txt'), { bucket: 'my.bucket', key: 'a b.txt' });
    assert.throws(() => parseObsUrl('https://models.s3.amazonaws.com/mnist'), /is not an OBS path/);
  });

  const hostile: [string, RegExp][] = [
    ['obs://bucket/../etc/passwd', /"\." or "\.\." segments/],
    ['obs://bucket/a/../../b', /"\." or "\.\." segments/],
    ['obs://bucket//etc/passwd', /absolute/],
    ['obs://bucket/%2e%2e/x', /percent-escapes/],
    ['obs://bucket/a%2Fb', /percent-escapes/],
    ['obs:///key', /bucket name is empty/],
    ['obs://Bad_Bucket/x', /bucket name "Bad_Bucket" is not valid/],
    ['obs://192.168.1.1/x', /is not valid/],
    ['obs://my-.bucket/x', /must not have a hyphen next to a period/],
    ['obs://bucket/a\\..\\b', /backslash/],
    ['obs://bucket/a\u0000b', /control characters/],
    ['http://bucket/x', /is not an OBS path/],
    ['obs://bucket/a//b', /empty folder name/],
  ];
  for (const [url, message] of hostile) {
    it(`refuses ${JSON.stringify(url)}`, () => {
      assert.throws(() => parseObsUrl(url), message);
    });
  }
});

describe('downloading a prefix', function () {
  this.timeout(30_000);

  it('never writes outside the target folder, whatever the object keys are', async () => {
    const root = await tempDir('escape');
    const server = await startS3Server({ host: '127.0.0.1', port: 0, dataDir: path.join(root, 'obs'), accessKeyId: 'k', secretAccessKey: 's', region: 'us-east-1' });
    const store = new ObjectStore({ endpoint: server.endpoint, accessKeyId: 'k', secretAccessKey: 's', region: 'us-east-1' });
    try {
      await store.ensureBucket('hostile');
      await store.put({ bucket: 'hostile', key: 'code/train.js' }, 'ok');
      for (const key of ['code/../../escaped.txt', 'code//etc/escaped.txt', 'code/%2e%2e/escaped.txt']) {
        await store.put({ bucket: 'hostile', key }, 'should never be written');
        const target = path.join(root, 'work', 'code');
        await assert.rejects(store.downloadPrefix({ bucket: 'hostile', key: 'code/' }, target), /cannot be downloaded/);
        await store.deletePrefix({ bucket: 'hostile', key: key.slice(0, key.lastIndexOf('/') + 1) });
        await store.put({ bucket: 'hostile', key: 'code/train.js' }, 'ok');
      }
      const everything = await listTree(root);
      assert.deepEqual(everything.filter((f) => f.includes('escaped')), []);
    } finally {
      store.destroy();
      await server.close();
    }
  });
});

async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await listTree(p)));
  }
  return out;
}
