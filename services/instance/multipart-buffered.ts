/**
 * multipart/form-data read from a body that is already in memory, the way every
 * prediction upload is (bodies are buffered within MAX_PREDICT_BODY_BYTES anyway):
 * the parts are found with indexOf and the files are views of the body, no stream,
 * no copy. It reads the plain form that curl, browsers and HTTP libraries send —
 * `Content-Disposition: form-data; name="…"[; filename="…"]` and an optional
 * `Content-Type` per part — and gives up (undefined) on anything else (quoted
 * escapes, RFC 5987 names, other part headers, a preamble, non-ASCII header bytes,
 * too many parts), which busboy (request-body.ts) then reads.
 */
import { addField, addFile, type MultipartData } from './multipart-data';

export interface BufferedLimits {
  files: number;
  fields: number;
  fieldBytes: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const DISPOSITION = /^content-disposition:[ \t]*form-data((?:;[ \t]*[a-z]+="[^"\\]*")*)[ \t]*$/i;
const PARAM = /;[ \t]*([a-z]+)="([^"\\]*)"/gi;
const CONTENT_TYPE = /^content-type:[ \t]*[\x21-\x7e]+(?:[ \t]*;[ \t]*[\x21-\x7e]+)*[ \t]*$/i;

/** The boundary of a multipart/form-data Content-Type (quoted or not); undefined when there is none. */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function parseBufferedMultipart(body: Buffer, boundary: string, limits: BufferedLimits): MultipartData | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  if (!startsWith(body, delimiter, 0)) return undefined;
  const data: MultipartData = {};
  let files = 0;
  let fields = 0;
  let at = delimiter.length;
  for (;;) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return data; // "--": the closing delimiter
    if (!startsWith(body, CRLF, at)) return undefined;
    const headersEnd = body.indexOf(HEADER_END, at + 2);
    if (headersEnd === -1) return undefined;
    const part = partHeaders(body, at + 2, headersEnd);
    if (!part) return undefined;
    const start = headersEnd + HEADER_END.length;
    const end = body.indexOf(next, start);
    if (end === -1) return undefined;
    const content = body.subarray(start, end);
    // busboy reads a part with an empty filename as a text field: left to it.
    if (part.filename === '') return undefined;
    if (part.filename !== undefined) {
      if (++files > limits.files) return undefined;
      addFile(data, part.name, basename(part.filename), content);
    } else {
      // A field's own Content-Type may name a charset: busboy decodes those.
      if (part.typed || ++fields > limits.fields || content.length > limits.fieldBytes) return undefined;
      addField(data, part.name, content.toString('utf8'));
    }
    at = end + next.length;
  }
}

/** name and filename of a part whose headers are all plain ASCII and understood here. */
function partHeaders(body: Buffer, from: number, to: number): { name: string; filename?: string; typed: boolean } | undefined {
  for (let i = from; i < to; i++) if (body[i] > 0x7e) return undefined;
  let name: string | undefined;
  let filename: string | undefined;
  let typed = false;
  for (const line of body.toString('latin1', from, to).split('\r\n')) {
    const disposition = DISPOSITION.exec(line);
    if (disposition) {
      if (name !== undefined) return undefined;
      for (const [, key, value] of disposition[1].matchAll(PARAM)) {
        const k = key.toLowerCase();
        if (k === 'name' && name === undefined) name = value;
        else if (k === 'filename' && filename === undefined) filename = value;
        else return undefined;
      }
      if (name === undefined) return undefined;
    } else if (CONTENT_TYPE.test(line) && !typed) {
      typed = true;
    } else {
      return undefined;
    }
  }
  return name === undefined ? undefined : { name, filename, typed };
}

/** The file name without any folder, as busboy gives it (its preservePath is off). */
function basename(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  return base === '.' || base === '..' ? '' : base;
}

function startsWith(body: Buffer, prefix: Buffer, at: number): boolean {
  return body.length >= at + prefix.length && body.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}
