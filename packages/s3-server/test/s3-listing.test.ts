import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  paginateListObjectsV2,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { TestServer } from './s3-test-support';

describe('embedded S3 server: listings', function () {
  let t: TestServer;
  const many = 'many-keys';
  const tree = 'key-tree';
  const manyKeys = Array.from({ length: 1005 }, (_, i) => `item/${String(i).padStart(5, '0')}`);

  before(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: many }));
    await t.sdk.send(new CreateBucketCommand({ Bucket: tree }));
    await putAll(many, [...manyKeys].reverse());
    await putAll(tree, [
      'photos/2024/a.jpg',
      'photos/2024/b.jpg',
      'photos/2025/c.jpg',
      'photos/top.jpg',
      'photos.txt',
      'readme.txt',
      'a b+c&d<e>.txt',
      'ü/ö.txt',
    ]);
  });
  after(async () => t.dispose());

  /** Puts keys with bounded concurrency; each object's body is its key. */
  async function putAll(bucket: string, keys: string[]): Promise<void> {
    const queue = [...keys];
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        await t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }

  async function allPagesV2(input: { Bucket: string; Prefix?: string; Delimiter?: string; MaxKeys?: number }): Promise<ListObjectsV2CommandOutput[]> {
    const pages: ListObjectsV2CommandOutput[] = [];
    for await (const page of paginateListObjectsV2({ client: t.sdk }, input)) pages.push(page);
    return pages;
  }

  it('returns every key exactly once when listing 1,001+ keys page by page', async () => {
    const pages = await allPagesV2({ Bucket: many });
    assert.deepEqual(pages.map((p) => p.KeyCount), [1000, 5]);
    assert.deepEqual(pages.map((p) => p.IsTruncated), [true, false]);
    assert.deepEqual(pages.flatMap((p) => p.Contents!.map((c) => c.Key)), manyKeys);

    const small = await allPagesV2({ Bucket: many, MaxKeys: 100 });
    assert.equal(small.length, 11);
    assert.deepEqual(small.flatMap((p) => p.Contents!.map((c) => c.Key)), manyKeys);
  });

  it('caps max-keys at 1,000', async () => {
    const page = await t.sdk.send(new ListObjectsV2Command({ Bucket: many, MaxKeys: 5000 }));
    assert.equal(page.KeyCount, 1000);
    assert.equal(page.IsTruncated, true);
  });

  it("returns every key exactly once through minio's listObjectsV2 iterator", async () => {
    const names: string[] = [];
    for await (const item of t.minio.listObjectsV2(many, 'item/', true)) names.push((item as { name: string }).name);
    assert.deepEqual(names, manyKeys);
  });

  it('pages ListObjects v1 with markers', async () => {
    const keys: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await t.sdk.send(new ListObjectsCommand({ Bucket: many, Marker: marker, MaxKeys: 400 }));
      pages += 1;
      keys.push(...page.Contents!.map((c) => c.Key!));
      if (!page.IsTruncated) break;
      marker = page.NextMarker;
    }
    assert.equal(pages, 3);
    assert.deepEqual(keys, manyKeys);
  });

  it('honours start-after', async () => {
    const page = await t.sdk.send(new ListObjectsV2Command({ Bucket: many, StartAfter: 'item/01000' }));
    assert.deepEqual(page.Contents!.map((c) => c.Key), manyKeys.slice(1001));
  });

  it('groups keys under CommonPrefixes when a delimiter is given, each prefix once across pages', async () => {
    const whole = await t.sdk.send(new ListObjectsV2Command({ Bucket: tree, Prefix: 'photos/', Delimiter: '/' }));
    assert.deepEqual(whole.Contents?.map((c) => c.Key), ['photos/top.jpg']);
    assert.deepEqual(whole.CommonPrefixes?.map((p) => p.Prefix), ['photos/2024/', 'photos/2025/']);
    assert.equal(whole.KeyCount, 3);

    const pages = await allPagesV2({ Bucket: tree, Delimiter: '/', MaxKeys: 1 });
    const items = pages.flatMap((p) => [...(p.CommonPrefixes ?? []).map((c) => c.Prefix), ...(p.Contents ?? []).map((c) => c.Key)]);
    assert.deepEqual(items, ['a b+c&d<e>.txt', 'photos.txt', 'photos/', 'readme.txt', 'ü/']);

    const prefixes: string[] = [];
    for await (const item of t.minio.listObjectsV2(tree, 'photos/', false)) {
      const entry = item as { name?: string; prefix?: string };
      prefixes.push(entry.prefix ?? entry.name ?? '');
    }
    // minio yields a page's objects before its prefixes, so compare as a set.
    assert.deepEqual(prefixes.sort(), ['photos/2024/', 'photos/2025/', 'photos/top.jpg']);
  });

  it('URL-encodes keys and prefixes when asked with encoding-type=url', async () => {
    const page = await t.sdk.send(new ListObjectsV2Command({ Bucket: tree, EncodingType: 'url', Delimiter: '/' }));
    const raw = page.Contents!.map((c) => c.Key!);
    assert.ok(raw.includes('a+b%2Bc%26d%3Ce%3E.txt'), raw.join(' '));
    assert.deepEqual(page.CommonPrefixes?.map((p) => p.Prefix), ['photos/', '%C3%BC/']);
    const names: string[] = [];
    for await (const item of t.minio.listObjectsV2(tree, '', true)) names.push((item as { name: string }).name);
    assert.ok(names.includes('a b+c&d<e>.txt') && names.includes('ü/ö.txt'), names.join(' | '));
  });

  it('orders keys by UTF-8 byte order, as S3 does, not by UTF-16', async () => {
    await t.sdk.send(new CreateBucketCommand({ Bucket: 'unicode-order' }));
    await putAll('unicode-order', ['\u{1F600}', '\uFFFD', 'z']);
    const page = await t.sdk.send(new ListObjectsV2Command({ Bucket: 'unicode-order' }));
    assert.deepEqual(page.Contents!.map((c) => c.Key), ['z', '\uFFFD', '\u{1F600}']);
  });
});
