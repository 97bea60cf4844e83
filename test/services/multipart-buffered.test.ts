import assert from 'node:assert/strict';
import { boundaryOf, parseBufferedMultipart } from '../../services/instance/multipart-buffered';
import { readWithBusboy } from '../../services/instance/request-body';
import { testDigits } from '../helpers/mnist-model';

const LIMITS = { files: 64, fields: 256, fieldBytes: 1024 * 1024 };
const png = testDigits([0])[0].png;

/** A body as curl -F, browsers and requests write them: parts of headers and content between the boundary's lines. */
function body(boundary: string, parts: { headers: string[]; content: Buffer | string }[], opts: { preamble?: string; epilogue?: string } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(opts.preamble ?? '')];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n${opts.epilogue ?? ''}`));
  return Buffer.concat(chunks);
}

const file = (name: string, filename: string, content: Buffer | string = png, type = 'image/png') => ({ headers: [`Content-Disposition: form-data; name="${name}"; filename="${filename}"`, `Content-Type: ${type}`], content });
const field = (name: string, value: string) => ({ headers: [`Content-Disposition: form-data; name="${name}"`], content: value });

describe('multipart bodies read in memory', () => {
  const boundary = '------------------------d74496d66958873e';
  const readable: [string, Buffer][] = [
    ['one file as curl -F sends it', body(boundary, [file('images', 'digit.png')])],
    ['two files in one field and one in another, with a text field', body(boundary, [file('images', 'a.png'), file('images', 'a.png'), field('note', 'héllo'), file('other', 'b.jpg', 'xyz', 'image/jpeg')])],
    ['a file named with its folders', body(boundary, [file('images', 'scans/2024/digit.png'), file('images', '../up.png')])],
    ['lower-case headers and an epilogue', body(boundary, [{ headers: ['content-disposition: form-data; name="x"; filename="y.bin"', 'content-type: application/octet-stream'], content: Buffer.from([0, 13, 10, 45, 45]) }], { epilogue: 'ignored' })],
    ['an empty form', Buffer.from(`--${boundary}--\r\n`)],
  ];

  for (const [what, input] of readable) {
    it(`reads ${what} exactly as busboy does`, async () => {
      const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
      const fast = parseBufferedMultipart(input, boundaryOf(headers['content-type'])!, LIMITS);
      assert.ok(fast, 'read in place');
      assert.deepEqual(fast, await readWithBusboy(headers, input, 1e7));
    });
  }

  const left: [string, Buffer][] = [
    ['a preamble before the first boundary', body(boundary, [file('images', 'd.png')], { preamble: 'This is a multi-part message.\r\n' })],
    ['an RFC 5987 file name', body(boundary, [{ headers: ["Content-Disposition: form-data; name=\"images\"; filename*=UTF-8''d%C3%AFgit.png"], content: png }])],
    ['a file with an empty name (busboy reads it as a text field)', body(boundary, [file('images', '')])],
    ['a non-ASCII file name', body(boundary, [file('images', 'dïgit.png')])],
    ['a backslash in a file name (an escape in a quoted string)', body(boundary, [file('images', 'C:\\scans\\digit.png')])],
    ['a quoted name with an escape', body(boundary, [{ headers: ['Content-Disposition: form-data; name="a\\"b"'], content: 'v' }])],
    ['a part header it does not know', body(boundary, [{ ...file('images', 'd.png'), headers: [...file('images', 'd.png').headers, 'Content-Transfer-Encoding: base64'] }])],
    ['a text field with its own charset', body(boundary, [{ headers: ['Content-Disposition: form-data; name="t"', 'Content-Type: text/plain; charset=iso-8859-1'], content: 'caf\xe9' }])],
    ['a body cut before its closing boundary', body(boundary, [file('images', 'd.png')]).subarray(0, 200)],
  ];

  for (const [what, input] of left) {
    it(`leaves ${what} to busboy`, () => {
      assert.equal(parseBufferedMultipart(input, boundary, LIMITS), undefined);
    });
  }

  it('leaves more files than allowed to busboy, which names the limit', async () => {
    const many = body(boundary, [file('a', '1'), file('a', '2'), file('a', '3')]);
    assert.equal(parseBufferedMultipart(many, boundary, { ...LIMITS, files: 2 }), undefined);
  });

  it('reads the boundary from a quoted or a plain Content-Type parameter', () => {
    assert.equal(boundaryOf('multipart/form-data; boundary="a b;c"'), 'a b;c');
    assert.equal(boundaryOf('multipart/form-data;boundary=----x; charset=utf-8'), '----x');
    assert.equal(boundaryOf('multipart/form-data'), undefined);
  });
});
