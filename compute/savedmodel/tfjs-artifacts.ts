/** A converted signature as tfjs model artifacts: the graph, its weights, its signature. */
import type { io } from '@tensorflow/tfjs';
import type { SignatureGraph } from './signature-graph';

/** GraphDef producer version tfjs needs to see (what TensorFlow 2.x writes). */
const PRODUCER = 1987;

export function toArtifacts(sig: SignatureGraph, producer?: number): io.ModelArtifacts {
  const specs: io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const [name, value] of sig.constants) {
    specs.push({ name, shape: value.shape, dtype: value.dtype });
    parts.push(value.data);
  }
  const data = Buffer.concat(parts);
  const feedInfo = Object.fromEntries(
    Object.entries(sig.feeds).map(([key, node]) => {
      const attr = sig.nodes.find((n) => n.name === node)?.attr;
      const declared = sig.inputs.find((i) => i.key === key)?.shape;
      // An unshaped placeholder (a TF1 graph) keeps the signature's declared shape here, marked as not enforced.
      if (attr?.shape?.shape?.unknownRank && declared) return [key, { name: `${node}:0`, dtype: attr.dtype?.type, tensorShape: { dim: declared.map((d) => ({ size: String(d) })) }, loose: true }];
      return [key, { name: `${node}:0`, dtype: attr?.dtype?.type, tensorShape: attr?.shape?.shape }];
    }),
  );
  const fetchInfo = Object.fromEntries(
    sig.outputs.map((o) => [o.key, { name: `${sig.fetches[o.key]}:0`, dtype: o.dtype, tensorShape: o.shape ? { dim: o.shape.map((d) => ({ size: String(d) })) } : { unknownRank: true } }]),
  );
  return {
    modelTopology: { node: sig.nodes, library: { function: sig.library }, versions: { producer: producer && producer > 0 ? producer : PRODUCER } },
    format: 'graph-model',
    generatedBy: 'TensorFlow SavedModel',
    convertedBy: 'modelarts-local',
    weightSpecs: specs,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    signature: { inputs: feedInfo, outputs: fetchInfo, methodName: sig.method },
  };
}
