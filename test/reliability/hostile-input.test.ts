import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, uploadCode, waitForJob, BOOT_FILES } from '../helpers/jobs';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile } from '../helpers/services';

const BUCKET = 'hostile';
const CODE = `obs://${BUCKET}/code/`;

describe('hostile and malformed input', function () {
  this.timeout(120_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ REQUEST_TIMEOUT_MS: '2000' });
    await uploadCode(t.store, CODE, ['exit-3.js']);
  });
  after(async () => t?.close());

  const valid = () => ({ name: 'ok', algorithm: { engine: 'node', code_dir: CODE, boot_file: 'exit-3.js' }, train_url: `obs://${BUCKET}/out/` });

  describe('on the control plane: a 4xx that says what is wrong, and nothing recorded', () => {
    const bodies: [string, unknown, RegExp][] = [
      ['a name with spaces', { ...valid(), name: 'my job' }, /name: must be 1-64 letters/],
      ['a 65-character name', { ...valid(), name: 'x'.repeat(65) }, /name: must be 1-64/],
      ['a number as name', { ...valid(), name: 42 }, /name: must be a string/],
      ['an unknown engine', { ...valid(), algorithm: { ...valid().algorithm, engine: 'caffe' } }, /algorithm\.engine: must be one of "tfjs", "node", "python"/],
      ['parameters as an object', { ...valid(), algorithm: { ...valid().algorithm, parameters: { lr: 1 } } }, /algorithm\.parameters: must be an array/],
      ['a train_url with ..', { ...valid(), train_url: 'obs://hostile/a/../../etc/' }, /train_url: .*"\." or "\.\." segments/],
      ['an absolute key', { ...valid(), train_url: 'obs://hostile//etc/' }, /train_url: .*absolute/],
      ['an empty bucket name', { ...valid(), train_url: 'obs:///out/' }, /train_url: .*bucket name is empty/],
      ['a key that decodes to ..', { ...valid(), data_url: 'obs://hostile/%2e%2e/' }, /data_url: .*percent-escapes/],
      ['a boot_file outside code_dir', { ...valid(), algorithm: { ...valid().algorithm, boot_file: '../../bin/sh' } }, /algorithm\.boot_file: must be a file inside code_dir/],
      ['a boot_file URL in another folder', { ...valid(), algorithm: { ...valid().algorithm, boot_file: 'obs://hostile/elsewhere/x.js' } }, /is not inside code_dir/],
      ['an unknown field', { ...valid(), image: 'evil:latest' }, /image: is not a known field/],
      ['a JSON array', [1, 2], /must be an object/],
    ];
    for (const [what, body, message] of bodies) {
      it(`refuses ${what}`, async () => {
        const res = await api(t.url, 'POST', '/training-jobs', body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        const text = [res.body.error_msg, ...(res.body.errors ?? []).map((e: any) => `${e.path}: ${e.message}`)].join('\n');
        assert.match(text, message);
        assert.equal((await api(t.url, 'GET', '/training-jobs')).body.total, 0);
      });
    }

    it('refuses a code dir holding keys like ../../x or /etc/x, naming the key', async () => {
      for (const key of ['evil/../../x.js', 'evil2//etc/x.js']) {
        const prefix = key.slice(0, key.indexOf('/') + 1);
        await t.store.putFile({ bucket: BUCKET, key: `${prefix}train.js` }, `${BOOT_FILES}/exit-3.js`);
        await t.store.put({ bucket: BUCKET, key }, 'malicious');
        const res = await api(t.url, 'POST', '/training-jobs', { ...valid(), algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/${prefix}`, boot_file: 'train.js' } });
        assert.equal(res.status, 400);
        assert.match(res.body.error_msg, new RegExp(`code dir object "${key.replace(/[.*/]/g, '\\$&')}" cannot be used`));
      }
      assert.equal((await api(t.url, 'GET', '/training-jobs')).body.total, 0);
    });

    it('answers actions in the wrong state with 409: stopping a finished job, importing a job that never completed', async () => {
      const job = await createJob(t.url, valid());
      await waitForJob(t.url, job.id);
      const stop = await api(t.url, 'POST', `/training-jobs/${job.id}/stop`);
      assert.equal(stop.status, 409);
      assert.match(stop.body.error_msg, /is Failed; only a Pending or Running job can be stopped/);
      const fromFailedJob = await api(t.url, 'POST', '/models/import', { name: 'm', version: '1.0.0', training_job_id: job.id });
      assert.equal(fromFailedJob.status, 409);
      assert.match(fromFailedJob.body.error_msg, /has no Completed version/);
    });
  });

  describe('on a service', () => {
    let address: string;
    before(async () => {
      const model = await importMnist(t, BUCKET, 'mnist');
      address = (await deployService(t.url, { name: 'svc', model_id: model.id })).access_address;
    });

    it('refuses a PNG "decompression bomb" from its header alone', async () => {
      const res = await predictFile(address, pngBomb(100_000, 100_000));
      assert.ok([400, 413].includes(res.status), JSON.stringify(res.body));
      assert.match(res.body.error_msg, /100000x100000/);
    });

    it('refuses 100 files in one request', async () => {
      const form = new FormData();
      const png = testDigits([0])[0].png;
      for (let i = 0; i < 100; i++) form.append('images', new Blob([png], { type: 'image/png' }), `d${i}.png`);
      const res = await fetch(address, { method: 'POST', body: form });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as any).error_msg, /at most 64 files/);
    });

    it('times out a client that sends one byte a second, and serves others meanwhile', async () => {
      const { port } = new URL(address);
      const socket = net.connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.on('data', (c) => (answer += c));
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
      const drip = setInterval(() => socket.writable && socket.write('{'), 1000);
      try {
        assert.equal((await predictFile(address, testDigits([1])[0].png)).status, 200, 'another client is served while the slow one drips');
        await waitFor('the slow client to be answered', async () => (answer.includes('\r\n\r\n') ? true : undefined), 10_000);
      } finally {
        clearInterval(drip);
        socket.destroy();
      }
      assert.match(answer, /^HTTP\/1\.1 408/);
      assert.match(answer, /"error_code":"MR\.0111"/);
    });

    it('answers request headers larger than usual with 431 JSON', async () => {
      const { port } = new URL(address);
      const answer = await rawHttp(Number(port), `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 431/);
      assert.match(answer, /"error_msg":"the request headers are too large"/);
    });

    it('answers a request that is not HTTP with 400 JSON', async () => {
      const { port } = new URL(address);
      const answer = await rawHttp(Number(port), 'HELLO\r\n\r\n');
      assert.match(answer, /^HTTP\/1\.1 400/);
      assert.match(answer, /not valid HTTP/);
    });
  });
});

function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (c) => (answer += c));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** A valid PNG header (with its CRC) declaring a huge image, followed by a tiny zlib stream. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
