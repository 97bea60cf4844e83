import http from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../../kernel/errors';
import { errorResponse } from '../../kernel/http/render-error';
import { sendJson } from '../../kernel/http/send-json';
import type { ServableSet } from '../tf_serving/servables';
import type { InstanceOptions } from './protocol';
import { RequestHandler, type InstanceExtras, type OnEvent, type Predictor } from './request-handler';
import type { Stats } from './stats';

export type { InstanceExtras, Predictor };

export interface InstanceServer {
  server: http.Server;
  stats: Stats;
  inFlight(): number;
  /** Counts work that arrived by another way (gRPC) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** From now on every response closes its connection, so clients move to other instances. */
  startDraining(): void;
}

/**
 * The HTTP server of one instance, with its time limits: requests go to a RequestHandler;
 * an oversized body announced with `Expect: 100-continue` is refused before it is sent,
 * and malformed or slow requests still get a JSON answer.
 */
export function createInstanceServer(
  opts: InstanceOptions,
  predictor: Predictor,
  onEvent: OnEvent,
  servables: ServableSet | undefined,
  extras: InstanceExtras,
): InstanceServer {
  const handler = new RequestHandler(opts, predictor, onEvent, servables, extras);
  const server = http.createServer(
    {
      requestTimeout: opts.requestTimeoutMs,
      headersTimeout: Math.min(opts.requestTimeoutMs, 60_000),
      // How often slow requests are looked for (Node's default, 30 s, would let them linger).
      connectionsCheckingInterval: Math.min(1000, opts.requestTimeoutMs),
    },
    (req, res) => void handler.onRequest(req, res),
  );
  server.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length']) > opts.maxBodyBytes) return refuseTooLarge(res, opts.maxBodyBytes);
    res.writeContinue();
    void handler.onRequest(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  return {
    server,
    stats: handler.stats,
    inFlight: () => handler.inFlight,
    track: (work) => {
      handler.inFlight++;
      return work.finally(() => handler.inFlight--);
    },
    startDraining: () => {
      handler.draining = true;
    },
  };
}

/** A client that announces an oversized body is refused before it sends it. */
function refuseTooLarge(res: http.ServerResponse, maxBodyBytes: number): void {
  const refused = errorResponse(new ApiError('predict_too_large', `the request body is larger than ${maxBodyBytes} bytes`));
  res.setHeader('Connection', 'close');
  sendJson(res, refused.status, refused.body);
}

/** Malformed requests, oversized headers and slow clients still get a JSON answer. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('predict_headers_too_large', 'the request headers are too large')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ApiError('predict_request_timeout', 'the request was not received in time')
        : new ApiError('predict_bad_input', `the request is not valid HTTP (${err.code ?? err.message})`);
  const { status, body: payload } = errorResponse(error);
  const body = JSON.stringify(payload);
  const reason = http.STATUS_CODES[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
