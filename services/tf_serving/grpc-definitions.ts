/**
 * TF Serving's gRPC messages and PredictionService, from our own .proto files (the
 * public field numbers), for the server and for any client built from the same files.
 */
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { repoPath } from '../../kernel/paths';
import { protoResolver, TF_PROTO_DIR } from '../../compute/protos/tf-protos';

const PROTO_DIR = repoPath('services', 'tf_serving', 'protos');
const PREDICTION_SERVICE = 'tensorflow.serving.PredictionService';
export const SIGNATURE_DEF_MAP = 'tensorflow.serving.SignatureDefMap';

/** Plain objects as handlers see them: int64 as strings, enums by name, bytes as Buffers. */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, arrays: true, objects: true, oneofs: true };

let loaded: protobuf.Root | undefined;

function tfServingRoot(): protobuf.Root {
  if (!loaded) {
    const root = new protobuf.Root();
    // TensorFlow's own messages (TensorProto, SignatureDef …) are the compute layer's.
    root.resolvePath = protoResolver([PROTO_DIR, TF_PROTO_DIR]);
    root.loadSync('tensorflow_serving/apis/prediction_service.proto', { keepCase: true });
    root.resolveAll();
    loaded = root;
  }
  return loaded;
}

function messageType(name: string): protobuf.Type {
  return tfServingRoot().lookupType(name);
}

export function encodeMessage(name: string, value: object): Buffer {
  const type = messageType(name);
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

export function decodeMessage<T = Record<string, unknown>>(name: string, bytes: Uint8Array): T {
  const type = messageType(name);
  return type.toObject(type.decode(bytes), TO_OBJECT) as T;
}

/** The service definition @grpc/grpc-js needs, for `Server.addService` and `makeGenericClientConstructor`. */
export function predictionServiceDefinition(): ServiceDefinition {
  const service = tfServingRoot().lookupService(PREDICTION_SERVICE);
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType!.fullName.slice(1);
    const response = method.resolvedResponseType!.fullName.slice(1);
    definition[method.name] = {
      path: `/${PREDICTION_SERVICE}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: object) => encodeMessage(request, value),
      requestDeserialize: (bytes: Buffer) => decodeMessage(request, bytes),
      responseSerialize: (value: object) => encodeMessage(response, value),
      responseDeserialize: (bytes: Buffer) => decodeMessage(response, bytes),
    };
  }
  return definition;
}
