import { splitHostPort } from '../../kernel/http/host-port';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { RETRYABLE_HEADER } from '../../kernel/http/render-error';

/** A request body as it goes to an instance. */
export interface OutgoingBody {
  contentType: string;
  body: Buffer;
}

/** The instance could not answer this time (it went away, or said to send the request again). */
export class InstanceUnavailable extends Error {}

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.bmp': 'image/bmp', '.gif': 'image/gif' };

/** One file as the API's file field, as `curl -F <field>=@<file>` sends it. */
export function fileBody(field: string, fileName: string, content: Buffer): OutgoingBody {
  const boundary = `----modelarts-batch-${crypto.randomBytes(8).toString('hex')}`;
  const type = IMAGE_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
  const name = fileName.replace(/["\r\n]/g, '_');
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]) };
}

/**
 * A CSV row's request: JSON, or form fields when the API takes multipart/form-data and the
 * row fills only top-level fields (a nested request is sent as JSON, as ModelArts does).
 */
export function rowBody(apiContentType: string, request: unknown): OutgoingBody {
  const flat = request && typeof request === 'object' && !Array.isArray(request) && Object.values(request).every((v) => typeof v !== 'object');
  if (!apiContentType.toLowerCase().startsWith('multipart/form-data') || !flat) {
    return { contentType: 'application/json', body: Buffer.from(JSON.stringify(request)) };
  }
  const boundary = `----modelarts-batch-${crypto.randomBytes(8).toString('hex')}`;
  const parts = Object.entries(request as Record<string, unknown>).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`) };
}

export interface InstanceAnswer {
  status: number;
  text: string;
}

/**
 * POSTs a prediction to an instance's own port, as any client of the service would: the
 * instance reads the body, runs the hook and its batching, and answers. A connection that
 * breaks, or a retryable 503, is an InstanceUnavailable: the input is sent again.
 */
export function postToInstance(agent: http.Agent, address: string, body: OutgoingBody): Promise<InstanceAnswer> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host, port, method: 'POST', path: '/', headers: { 'Content-Type': body.contentType, 'Content-Length': body.body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new InstanceUnavailable(err.message)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 503 && res.headers[RETRYABLE_HEADER.toLowerCase()]) reject(new InstanceUnavailable(`the instance answered 503: ${text.slice(0, 200)}`));
          else resolve({ status: res.statusCode ?? 500, text });
        });
      },
    );
    req.on('error', (err) => reject(new InstanceUnavailable(err.message)));
    req.end(body.body);
  });
}

/** The message of an instance's error answer (ModelArts' error_msg, the Python runtime's msg), or its text. */
export function errorMessageOf(answer: InstanceAnswer): string {
  try {
    const body = JSON.parse(answer.text) as { error_msg?: string; msg?: string; error?: string; erno?: string; error_code?: string };
    const code = body.error_code ?? body.erno;
    const message = body.error_msg ?? body.msg ?? body.error ?? answer.text;
    return `${answer.status}${code ? ` ${code}` : ''}: ${message}`;
  } catch {
    return `${answer.status}: ${answer.text.slice(0, 500)}`;
  }
}
