/**
 * TF Serving's REST API of an instance, on a loopback port of its own for its Python
 * workers: their `_inference` calls `:predict` here, as ModelArts' hooks call the TF
 * Serving in their container. Apart from the service's port, so the workers' calls
 * are not counted as the service's requests and do not hold a drain open; a
 * per-instance token keeps other local processes out.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { ApiError } from '../../kernel/errors';
import { tfServingErrorResponse } from '../../kernel/http/render-error';
import { sendJson } from '../../kernel/http/send-json';
import { secretMatches } from '../../kernel/util/secret';
import { answerTfServing, isTfServingPath } from '../tf_serving/rest-api';
import type { ServableSet } from '../tf_serving/servables';
import { readJsonBody } from '../instance/request-body';

const WORKER_TOKEN_HEADER = 'x-ma-worker-token';
/** Workers keep one connection each; it may idle between requests for as long as this. */
const KEEP_ALIVE_MS = 120_000;

export interface LoopbackTfServing {
  url: string;
  token: string;
  close(): void;
}

export async function startLoopbackTfServing(servables: ServableSet, maxBodyBytes: number): Promise<LoopbackTfServing> {
  const token = crypto.randomBytes(24).toString('hex');
  const server = http.createServer((req, res) => {
    void answer(req, res).catch((err) => {
      const { status, body } = tfServingErrorResponse(err);
      if (!res.headersSent) sendJson(res, status, body);
    });
  });
  async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (!secretMatches(req.headers[WORKER_TOKEN_HEADER], token)) throw new ApiError('predict_unauthorized', 'only this instance\'s Python workers call this port');
    if (!isTfServingPath(path)) throw new ApiError('predict_not_found', `Malformed request: ${req.method} ${path}`);
    const got = await answerTfServing({ method: req.method ?? 'GET', path, body: () => readJsonBody(req, maxBodyBytes) }, servables);
    sendJson(res, got.status, got.body);
  }
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
