import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '../../kernel/errors';
import { grpcErrorResponse } from '../../kernel/http/render-error';
import { predictionServiceDefinition } from '../tf_serving/grpc-definitions';

const RELEASE_GRACE_MS = 1000;

/**
 * What a service's gRPC port answers while no instance is ready: every call fails
 * with UNAVAILABLE and the reason, as its HTTP port answers 503.
 */
export function unavailableGrpc(reason: () => string): { inject(connection: Duplex): void; release(): void; close(): void } {
  const server = new grpc.Server();
  const definition = predictionServiceDefinition();
  const refuse: grpc.handleUnaryCall<unknown, unknown> = (_call, callback) => {
    const { code, details } = grpcErrorResponse(new ApiError('predict_unavailable', reason()));
    callback({ code, details });
  };
  server.addService(definition, Object.fromEntries(Object.keys(definition).map((name) => [name, refuse])));
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    inject: (c) => injector.injectConnection(c),
    // gRPC clients keep their connection: GOAWAY makes them reconnect, to an instance now.
    release: () => injector.drain(RELEASE_GRACE_MS),
    close: () => injector.destroy(),
  };
}
