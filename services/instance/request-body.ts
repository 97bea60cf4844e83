import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ApiError } from '../../kernel/errors';
import { readLimited } from '../../kernel/http/read-body';
import { boundaryOf, parseBufferedMultipart } from './multipart-buffered';
import { addField, addFile, type MultipartData } from './multipart-data';

export type { MultipartData };

const MAX_FILES_PER_REQUEST = 64;
const MAX_FIELDS_PER_REQUEST = 256;
const MAX_FIELD_BYTES = 1024 * 1024;

/**
 * Reads a prediction request body: multipart (busboy) or JSON. Reading stops at
 * `maxBytes` with a 413; anything else is a 415 that names what is accepted.
 */
export function readRequestData(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'multipart/form-data') return readMultipart(req, maxBytes);
  if (type === 'application/json' || type.endsWith('+json')) return readJsonBody(req, maxBytes);
  return Promise.reject(
    new ApiError(
      'predict_unsupported_media_type',
      `Content-Type ${type ? `"${type}"` : '(none)'} is not accepted; send multipart/form-data (e.g. curl -F images=@digit.png) or application/json`,
    ),
  );
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('predict_too_large', `the request body is larger than ${maxBytes} bytes`);
}

/** The body parsed as JSON, whatever its Content-Type says; 413 past `maxBytes`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = (await readLimited(req, maxBytes, () => tooLarge(maxBytes))).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError('predict_bad_input', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A multipart body read whole; the common plain form is split in place, anything else goes through busboy. */
export async function readMultipart(req: IncomingMessage, maxBytes: number): Promise<MultipartData> {
  const body = await readLimited(req, maxBytes, () => tooLarge(maxBytes)).catch((err: Error) => {
    throw err instanceof ApiError ? err : new ApiError('predict_bad_input', `the request broke off: ${err.message}`);
  });
  const boundary = boundaryOf(req.headers['content-type'] ?? '');
  const limits = { files: MAX_FILES_PER_REQUEST, fields: MAX_FIELDS_PER_REQUEST, fieldBytes: MAX_FIELD_BYTES };
  return (boundary !== undefined && parseBufferedMultipart(body, boundary, limits)) || readWithBusboy(req.headers, body, maxBytes);
}

/** busboy over a body in memory: every form it reads, with its limits. */
export function readWithBusboy(headers: IncomingHttpHeaders, body: Buffer, maxBytes: number): Promise<MultipartData> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        limits: { fileSize: maxBytes, files: MAX_FILES_PER_REQUEST, fields: MAX_FIELDS_PER_REQUEST, fieldSize: MAX_FIELD_BYTES },
      });
    } catch (err) {
      reject(new ApiError('predict_bad_input', `the multipart body cannot be read: ${(err as Error).message}`));
      return;
    }
    const data: MultipartData = {};
    let failed = false;
    const fail = (err: ApiError) => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      stream.on('end', () => {
        // A small file arrives in one chunk: no copy then.
        addFile(data, field, info.filename ?? '', chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      });
    });
    parser.on('field', (name, value) => addField(data, name, value));
    parser.on('filesLimit', () => fail(new ApiError('predict_bad_input', `a request may carry at most ${MAX_FILES_PER_REQUEST} files`)));
    parser.on('fieldsLimit', () => fail(new ApiError('predict_bad_input', `a request may carry at most ${MAX_FIELDS_PER_REQUEST} fields`)));
    parser.on('error', (err: Error) => fail(new ApiError('predict_bad_input', `the multipart body cannot be read: ${err.message}`)));
    parser.on('close', () => {
      if (!failed) resolve(data);
    });
    parser.end(body);
  });
}


/**
 * The file fields the model's config.json asks for (`"type": "file"` properties of
 * apis[0].request.data); a multipart request must carry at least one of them.
 */
export function expectedFileFields(requestSchema: unknown): string[] {
  const props = (requestSchema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
  if (!props || typeof props !== 'object') return [];
  return Object.entries(props)
    .filter(([, v]) => v && typeof v === 'object' && v.type === 'file')
    .map(([k]) => k);
}

export function checkFileFields(data: MultipartData, expected: string[]): void {
  if (!expected.length) return;
  const present = expected.filter((f) => typeof data[f] === 'object' && Object.keys(data[f] as object).length > 0);
  if (present.length) return;
  const got = Object.keys(data);
  throw new ApiError(
    'predict_bad_input',
    `the request has no file in field ${expected.map((f) => `"${f}"`).join(' or ')} (as config.json apis[0].request says)${got.length ? `; it has ${got.map((f) => `"${f}"`).join(', ')}` : '; it is empty'}. Send e.g. -F ${expected[0]}=@image.png`,
  );
}
