import type { IncomingMessage } from 'node:http';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { AwsChunkedDecoder } from './aws-chunked';
import { type ChecksumAlgorithm, isChecksumAlgorithm } from './checksums';
import { sendContinueIfAwaited } from './expect-continue';
import { DigestTap } from './digest-tap';
import { header } from './request';
import { MAX_XML_BODY_BYTES } from './limits';
import { S3Error } from './s3-error';
import { parseXml, type XmlElement } from './xml';

/**
 * The body of a request as the bytes the client meant: aws-chunked framing removed,
 * size capped, and every digest the client supplied (Content-MD5, x-amz-content-sha256,
 * x-amz-checksum-* as header or trailer) checked by verify() once it has been read.
 */
export class RequestContent {
  /** The decoded bytes, to be consumed exactly once. */
  readonly stream: Readable;
  private readonly tap: DigestTap;
  private readonly decoder?: AwsChunkedDecoder;
  private readonly payloadSha256?: string;
  private readonly checksumAlgorithm?: ChecksumAlgorithm;

  /**
   * `checksum` is computed when the client names none (a part of an upload that has one);
   * `false` when the request's x-amz-checksum-* headers describe something else than its body
   * (CompleteMultipartUpload's name the object's checksum).
   */
  constructor(
    private readonly req: IncomingMessage,
    maxBytes: number,
    checksum?: ChecksumAlgorithm | false,
  ) {
    const payloadHash = header(req, 'x-amz-content-sha256') ?? '';
    const encodings = (header(req, 'content-encoding') ?? '').split(',').map((e) => e.trim().toLowerCase());
    // Content-Encoding alone does not frame a body: S3 requires the decoded length with it.
    const framed = encodings.includes('aws-chunked') && header(req, 'x-amz-decoded-content-length') !== undefined;
    const chunked = payloadHash.startsWith('STREAMING-') || framed;
    const declared = lengthHeader(req, chunked ? 'x-amz-decoded-content-length' : 'content-length');
    if (declared !== undefined && declared > maxBytes) {
      throw new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${maxBytes} bytes.`);
    }
    if (/^[0-9a-f]{64}$/.test(payloadHash)) this.payloadSha256 = payloadHash;
    this.checksumAlgorithm = checksum === false ? undefined : (checksumAlgorithm(req) ?? checksum);
    this.tap = new DigestTap(maxBytes, { sha256: this.payloadSha256 !== undefined, checksumAlgorithm: this.checksumAlgorithm });
    const raw = detachedBody(req);
    if (chunked) {
      this.decoder = new AwsChunkedDecoder(declared);
      pipeline(raw, this.decoder, this.tap, () => undefined);
    } else {
      pipeline(raw, this.tap, () => undefined);
    }
    this.stream = this.tap;
  }

  /** Checks the digests; call after `stream` has ended. Returns the content's size, MD5 and checksum. */
  verify(): { size: number; md5: Buffer; checksum?: { algorithm: ChecksumAlgorithm; value: string } } {
    const digests = this.tap.digests();
    const contentMd5 = header(this.req, 'content-md5');
    if (contentMd5 !== undefined) {
      const expected = Buffer.from(contentMd5, 'base64');
      if (expected.length !== 16) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified is not valid.');
      if (!expected.equals(digests.md5)) throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    if (this.payloadSha256 !== undefined && digests.sha256Hex !== this.payloadSha256) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (this.checksumAlgorithm !== undefined && digests.checksum !== undefined) {
      const name = `x-amz-checksum-${this.checksumAlgorithm}`;
      const expected = header(this.req, name) ?? this.decoder?.trailers.get(name);
      if (expected !== undefined && expected !== digests.checksum) {
        throw new S3Error('BadDigest', `The ${this.checksumAlgorithm.toUpperCase()} you specified did not match the calculated checksum.`);
      }
    }
    const checksum = this.checksumAlgorithm && digests.checksum ? { algorithm: this.checksumAlgorithm, value: digests.checksum } : undefined;
    return { size: digests.size, md5: digests.md5, checksum };
  }
}

/** Reads a small body (an XML document) whole, digests checked (flexible checksums unless `checksums` is false). */
export async function readSmallBody(req: IncomingMessage, maxBytes: number, checksums = true): Promise<Buffer> {
  const content = new RequestContent(req, maxBytes, checksums ? undefined : false);
  const chunks: Buffer[] = [];
  for await (const chunk of content.stream) chunks.push(chunk as Buffer);
  content.verify();
  return Buffer.concat(chunks);
}

/** Reads a small XML request document whose root element must be `root`. */
export async function readXmlBody(req: IncomingMessage, root: string, checksums = true): Promise<XmlElement> {
  const body = await readSmallBody(req, MAX_XML_BODY_BYTES, checksums);
  let document: XmlElement | undefined;
  try {
    document = parseXml(body.toString('utf8'));
  } catch {
    document = undefined;
  }
  if (document?.name !== root) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  return document;
}

function lengthHeader(req: IncomingMessage, name: string): number | undefined {
  const value = header(req, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`);
  return Number(value);
}

/** Which x-amz-checksum-* the client sent or announced as a trailer; one we do not know is not checked. */
function checksumAlgorithm(req: IncomingMessage): ChecksumAlgorithm | undefined {
  const announced = header(req, 'x-amz-sdk-checksum-algorithm') ?? /^x-amz-checksum-(\w+)$/i.exec(header(req, 'x-amz-trailer') ?? '')?.[1];
  const sent = Object.keys(req.headers).find((h) => /^x-amz-checksum-(?!mode$|type$|algorithm$)\w+$/.test(h));
  const name = announced?.toLowerCase() ?? sent?.slice('x-amz-checksum-'.length);
  return name !== undefined && isChecksumAlgorithm(name) ? name : undefined;
}

/**
 * The request body behind a PassThrough, so that a failure while storing it never destroys
 * the request (and with it the socket the error response must go out on): on failure the
 * rest of the body is drained instead. A client that hangs up fails the PassThrough.
 */
function detachedBody(req: IncomingMessage): PassThrough {
  const body = new PassThrough();
  const hungUp = (): void => {
    if (!req.complete) body.destroy(new S3Error('IncompleteBody', 'The client closed the connection before sending the whole body.'));
  };
  req.on('aborted', hungUp);
  req.on('error', hungUp);
  req.on('close', hungUp);
  body.on('close', () => {
    if (!req.complete) {
      req.unpipe(body);
      req.resume();
    }
  });
  sendContinueIfAwaited(req);
  req.pipe(body);
  return body;
}
