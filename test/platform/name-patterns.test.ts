import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { bucketNameProblem } from '@modelarts-local/s3-server/names';
import { BUCKET_NAME_PATTERN, OBJECT_KEY_PATTERN, OBS_URL_PATTERN } from '../../kernel/storage/name-patterns';
import { keyProblem, parseObsUrl } from '../../kernel/storage/obs-url';

/** Names made of the characters the rules are about, in lengths around the limits. */
function* names(seed: string, count: number, alphabet: string[], maxLength: number): Generator<string> {
  let state = crypto.createHash('sha256').update(seed).digest();
  const next = () => {
    state = crypto.createHash('sha256').update(state).digest();
    return state.readUInt32BE(0);
  };
  for (let i = 0; i < count; i++) {
    const length = next() % (maxLength + 1);
    let name = '';
    for (let j = 0; j < length; j++) name += alphabet[next() % alphabet.length];
    yield name;
  }
}

const BUCKET_CHARS = [...'abc019', '.', '-', 'A', '_', '..', '.-', '192.168.1.1'];
const KEY_CHARS = [...'ab9', '/', '.', '..', '%2e', '%', '\\', '\u0000', '\u007f', 'é', ' ', '//'];

/**
 * The OpenAPI documents state the naming rules as patterns (kernel/storage/name-patterns.ts)
 * while the platform checks them in code; these hold the two to the same verdict.
 */
describe('the naming rules as the OpenAPI documents state them', () => {
  const accepts = (pattern: string, text: string) => new RegExp(pattern, 'u').test(text);

  it('accepts exactly the bucket names the store accepts', () => {
    const samples = [...names('buckets', 5_000, BUCKET_CHARS, 70), 'test-modelarts', 'a.b-c', '192.168.1.1', 'ab', 'a'.repeat(63), 'a'.repeat(64), 'my-.bucket'];
    for (const name of samples) assert.equal(accepts(BUCKET_NAME_PATTERN, name), !bucketNameProblem(name), JSON.stringify(name));
  });

  it('accepts exactly the object keys the platform accepts', () => {
    for (const key of [...names('keys', 5_000, KEY_CHARS, 24), 'a/b/c.txt', 'folder/', '.hidden', 'a/./b', 'a/../b', '/abs', 'a//b']) {
      const valid = key !== '' && !keyProblem(key);
      assert.equal(accepts(OBJECT_KEY_PATTERN, key), valid, JSON.stringify(key));
    }
  });

  it('accepts exactly the obs:// URLs the platform parses', () => {
    const prefixes = ['obs://', 's3://', '/', 'http://', '//', ''];
    const buckets = ['test-modelarts', 'a', 'Bad_Bucket', '192.168.1.1', 'my-.bucket', ''];
    const keys = [...names('url-keys', 300, KEY_CHARS, 12), ''];
    for (const prefix of prefixes) {
      for (const bucket of buckets) {
        for (const key of keys) {
          for (const url of [`${prefix}${bucket}/${key}`, `${prefix}${bucket}`]) {
            let parses = true;
            try {
              parseObsUrl(url);
            } catch {
              parses = false;
            }
            assert.equal(accepts(OBS_URL_PATTERN, url), parses, JSON.stringify(url));
          }
        }
      }
    }
  });

  it("accepts only OBS web addresses the platform reads (it reads more: percent-escapes, queries, ports)", () => {
    const hosts = ['test-modelarts.obs.cn-north-4.myhuaweicloud.com', 'obs.cn-north-4.myhuaweicloud.com/test-modelarts', 'a.b.obs.eu-de.otc.t-systems.com', '192.168.1.1.obs.cn-north-4.myhuaweicloud.com', 'Bad.obs.cn-north-4.myhuaweicloud.com', 'x.example.com', 'obs.cn-north-4.myhuaweicloud.com'];
    let accepted = 0;
    for (const scheme of ['https://', 'http://']) {
      for (const host of hosts) {
        for (const key of [...names('web-keys', 200, [...KEY_CHARS, '?', '#', ':'], 12), '']) {
          for (const url of [`${scheme}${host}/${key}`, `${scheme}${host}`]) {
            if (!accepts(OBS_URL_PATTERN, url)) continue;
            accepted++;
            assert.doesNotThrow(() => parseObsUrl(url), JSON.stringify(url));
          }
        }
      }
    }
    assert.ok(accepted > 100, `the pattern describes web addresses (${accepted} accepted)`);
    assert.ok(accepts(OBS_URL_PATTERN, 'https://test-modelarts.obs.cn-north-4.myhuaweicloud.com/mnist/mnist-model/'));
  });
});
