/**
 * The drop-in for tensorflow_model_server: TF Serving's REST API on `--rest_api_port`
 * and its gRPC API on `--port`, serving the models of the command line or config file
 * from their base paths, each kept up to date by polling (ModelVersions).
 */
import http from 'node:http';
import net from 'node:net';
import { ApiError } from '../../../kernel/errors';
import { tfServingErrorResponse } from '../../../kernel/http/render-error';
import { sendJson } from '../../../kernel/http/send-json';
import { log } from '../../../kernel/log';
import type { Tf } from '../../../compute/tf';
import { readJsonBody } from '../../instance/request-body';
import { createGrpcEndpoint } from '../grpc-server';
import { answerTfServing, isTfServingPath, tfServingName } from '../rest-api';
import type { ServableSet } from '../servables';
import { readModelConfig, type ModelEntry, type ServerFlags } from './flags';
import { ModelVersions } from './model-versions';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface TfServingServer {
  grpcPort: number;
  restPort?: number;
  close(): Promise<void>;
}

export async function startTfServingServer(flags: ServerFlags, tf: Tf, cacheDir: string): Promise<TfServingServer> {
  const models = new Map<string, ModelVersions>();
  const sync = (entries: ModelEntry[]) => {
    for (const e of entries) if (!models.has(e.name)) models.set(e.name, new ModelVersions(e, tf, cacheDir));
    for (const [name, m] of models) {
      if (!entries.some((e) => e.name === name)) {
        m.close();
        models.delete(name);
      }
    }
  };
  sync(flags.models);
  const lookup = (name: string): ServableSet => {
    const m = models.get(name);
    if (!m) throw new ApiError('predict_not_found', `Servable not found for request: Latest(${name}); served here: ${[...models.keys()].join(', ')}`);
    return m.servables;
  };
  const pollAll = async () => {
    if (flags.configFile && flags.configPollSeconds > 0) sync(readModelConfig(flags.configFile));
    for (const m of models.values()) await m.poll();
  };
  await pollAll();
  const stopPolling = everySeconds(flags.pollSeconds, pollAll);
  const grpcServer = await listenGrpc(lookup, flags.port, flags.host);
  const rest = flags.restApiPort > 0 ? await listenRest(lookup, flags.restApiPort, flags.host) : undefined;
  const grpcPort = (grpcServer.address() as net.AddressInfo).port;
  log.info(`Running gRPC ModelServer at ${flags.host}:${grpcPort} ...`);
  if (rest) log.info(`Exporting HTTP/REST API at:${flags.host}:${(rest.address() as net.AddressInfo).port} ...`);
  return {
    grpcPort,
    restPort: rest ? (rest.address() as net.AddressInfo).port : undefined,
    close: async () => {
      stopPolling();
      await Promise.all([closeServer(grpcServer), rest ? closeServer(rest) : undefined]);
      for (const m of models.values()) m.close();
    },
  };
}

/** Runs `work` every `seconds` (one run at a time); a failed run is logged and the next one comes. */
function everySeconds(seconds: number, work: () => Promise<void>): () => void {
  if (seconds <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((err) => log.error('polling the model base paths failed', err))
      .finally(() => (running = false));
  }, seconds * 1000);
  return () => clearInterval(timer);
}

async function listenGrpc(lookup: (name: string) => ServableSet, port: number, host: string): Promise<net.Server> {
  const endpoint = createGrpcEndpoint(lookup, {
    // As TF Serving's own ModelServer: no credentials (it listens on loopback unless --host says otherwise).
    authorize: async () => undefined,
    track: (work) => work,
    onUnexpected: (err) => log.error('a gRPC call failed unexpectedly', err),
  });
  const server = net.createServer({ noDelay: true }, (socket) => endpoint.inject(socket));
  await listen(server, port, host);
  return server;
}

async function listenRest(lookup: (name: string) => ServableSet, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = async () => {
      if (!isTfServingPath(path)) throw new ApiError('predict_not_found', `Malformed request: ${req.method} ${path}`);
      const set = lookup(tfServingName(path) ?? '');
      const got = await answerTfServing({ method: req.method ?? 'GET', path, body: () => readJsonBody(req, MAX_BODY_BYTES) }, set);
      sendJson(res, got.status, got.body);
    };
    answer().catch((err) => {
      const { status, body } = tfServingErrorResponse(err);
      if (status >= 500) log.error(`${req.method} ${path} failed`, err);
      if (!res.headersSent) sendJson(res, status, body);
    });
  });
  await listen(server, port, host);
  return server;
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as http.Server).closeAllConnections?.();
  });
}
