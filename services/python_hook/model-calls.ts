/**
 * The model calls of an instance's Python workers, answered on their own channel: a
 * `model` frame of TfServingBaseService._inference (one call, or one per request a worker runs together)
 * (services/model_service/python/model_service/model_channel.py) carries the inputs as
 * TF Serving's columnar `inputs` — JSON values, and numpy arrays as raw bytes with dtype and shape — and is answered as `:predict` would answer it over REST,
 * outputs by name, or the error TF Serving's API would give, with its status.
 */
import { tfServingErrorResponse } from '../../kernel/http/render-error';
import type { InputValue, TypedNumbers } from '../../compute/input-values';
import { parsePredictBody } from '../tf_serving/rest-format';
import type { ServableSet } from '../tf_serving/servables';
import type { Frame } from './frames';

/** [input name (null: the one input), dtype, shape, byte length], in the order of the frame's bytes. */
type TensorEntry = [string | null, string, number[], number];

interface ModelCall {
  named: boolean;
  /** The JSON-valued inputs, by name ('' for the one input), as a JSON text. */
  json: string;
  tensors: TensorEntry[];
}

/** One frame of calls (the requests a worker runs together): their tensors' bytes follow each other in the frame's. */
interface ModelCallsHeader {
  id: number;
  calls: ModelCall[];
}

/** Each call's status, and the byte length of its outputs (JSON) in the answer's bytes. */
interface CallAnswer {
  status: number;
  bytes: number;
  error?: string;
}

export interface ModelAnswer {
  header: { type: 'model-answer'; id: number; answers: CallAnswer[] };
  blobs: Buffer[];
}

const TYPED: Record<string, new (buffer: ArrayBuffer) => TypedNumbers> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
};

/**
 * Answers a worker's model calls with the service's model (its latest version, batched as the
 * service says): the calls of one frame are all submitted at once, so they share a batch.
 */
export function modelCaller(servables: ServableSet): (frame: Frame) => Promise<ModelAnswer> {
  return async (frame) => {
    const header = frame.header as unknown as ModelCallsHeader;
    const calls = Array.isArray(header.calls) ? header.calls : [];
    let offset = 0;
    const answers = await Promise.all(
      calls.map((call) => {
        const length = (call.tensors ?? []).reduce((n, t) => n + t[3], 0);
        const bytes = frame.blob.subarray(offset, offset + length);
        offset += length;
        return answerCall(servables, call, bytes);
      }),
    );
    return { header: { type: 'model-answer', id: header.id, answers: answers.map((a) => a.answer) }, blobs: answers.map((a) => a.body) };
  };
}

async function answerCall(servables: ServableSet, call: ModelCall, bytes: Buffer): Promise<{ answer: CallAnswer; body: Buffer }> {
  try {
    const servable = servables.get(servables.name);
    const parsed = parsePredictBody({ inputs: inputsOf(call, bytes) }, servable.model.inputs);
    const body = Buffer.from(JSON.stringify(await servable.model.predict(parsed.inputs)));
    return { answer: { status: 200, bytes: body.length }, body };
  } catch (err) {
    const { status, body } = tfServingErrorResponse(err);
    return { answer: { status, bytes: 0, error: String((body as { error?: unknown }).error ?? '') }, body: Buffer.alloc(0) };
  }
}

/** The columnar `inputs` the call stands for: an object by input name, or the one input's value. */
function inputsOf(call: ModelCall, blob: Buffer): unknown {
  const values = JSON.parse(call.json) as Record<string, unknown>;
  let offset = 0;
  for (const [name, dtype, shape, length] of call.tensors) {
    const Typed = TYPED[dtype];
    if (!Typed || offset + length > blob.length) throw new Error(`a model call carried a tensor the instance cannot read (${dtype}, ${length} bytes)`);
    // A copy: the frame's bytes need not be aligned for the typed array.
    const flat = new Typed(blob.buffer.slice(blob.byteOffset + offset, blob.byteOffset + offset + length) as ArrayBuffer);
    offset += length;
    values[name ?? ''] = nest(flat, shape);
  }
  return call.named ? values : values[''];
}

/**
 * The tensor as the nested lists its shape says, the last dimension kept as views of the
 * typed array (which the model's input reader takes as lists), so that it is read — and
 * refused — exactly as the same values in JSON would be.
 */
function nest(flat: TypedNumbers, shape: number[]): InputValue {
  if (shape.length === 0) return flat[0];
  if (shape.length === 1) return flat;
  const rows: InputValue[] = [];
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < shape[0]; i++) rows.push(nest(flat.subarray(i * rowSize, (i + 1) * rowSize), shape.slice(1)));
  return rows;
}
