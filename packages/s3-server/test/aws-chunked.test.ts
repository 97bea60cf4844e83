import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder } from '../src/aws-chunked';

/** Feeds `pieces` through a decoder; returns the decoded bytes and trailers, or throws its error. */
async function decode(pieces: Buffer[], expectedLength?: number): Promise<{ data: string; trailers: Map<string, string> }> {
  const decoder = new AwsChunkedDecoder(expectedLength);
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces, { objectMode: false }).pipe(decoder)) out.push(chunk as Buffer);
  return { data: Buffer.concat(out).toString('latin1'), trailers: decoder.trailers };
}

/** Every way of cutting `body` in two, plus one byte at a time. */
function splits(body: string): Buffer[][] {
  const bytes = Buffer.from(body, 'latin1');
  const cuts = Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);
  return [...cuts, [...bytes].map((b) => Buffer.from([b]))];
}

const SIG = 'a'.repeat(64);

describe('aws-chunked request bodies', () => {
  it('decodes signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) however the bytes are split', async () => {
    const body = `5;chunk-signature=${SIG}\r\nhello\r\n7;chunk-signature=${SIG}\r\n, world\r\n0;chunk-signature=${SIG}\r\n\r\n`;
    for (const pieces of splits(body)) {
      assert.equal((await decode(pieces, 12)).data, 'hello, world');
    }
  });

  it('decodes unsigned chunks with trailing checksums (STREAMING-UNSIGNED-PAYLOAD-TRAILER) and keeps the trailers', async () => {
    const body = 'a\r\n0123456789\r\n3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n';
    for (const pieces of splits(body)) {
      const { data, trailers } = await decode(pieces, 13);
      assert.equal(data, '0123456789abc');
      assert.equal(trailers.get('x-amz-checksum-crc32'), 'AAAAAA==');
    }
  });

  it('decodes signed chunks followed by signed trailers (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', async () => {
    const body = `3;chunk-signature=${SIG}\r\nxyz\r\n0;chunk-signature=${SIG}\r\nx-amz-checksum-sha256:abc=\r\nx-amz-trailer-signature:${SIG}\r\n\r\n`;
    const { data, trailers } = await decode([Buffer.from(body, 'latin1')], 3);
    assert.equal(data, 'xyz');
    assert.deepEqual([...trailers.keys()], ['x-amz-checksum-sha256', 'x-amz-trailer-signature']);
  });

  it('refuses a body whose decoded length differs from x-amz-decoded-content-length', async () => {
    await assert.rejects(decode([Buffer.from('3\r\nabc\r\n0\r\n\r\n')], 4), { code: 'IncompleteBody' });
  });

  it('refuses truncated bodies and malformed framing', async () => {
    await assert.rejects(decode([Buffer.from('5\r\nhel')]), { code: 'IncompleteBody' });
    await assert.rejects(decode([Buffer.from('zz\r\nhello\r\n')]), { code: 'InvalidRequest' });
    await assert.rejects(decode([Buffer.from('3\r\nabcX\r\n')]), { code: 'InvalidRequest' });
    await assert.rejects(decode([Buffer.from('3'.repeat(10_000))]), { code: 'InvalidRequest' });
  });
});
