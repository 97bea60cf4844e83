/**
 * Reads `saved_model.pb`: the MetaGraph tagged `serve` (TF Serving's choice), its graph,
 * function library, SignatureDefs and, for TF2 models, the SavedObjectGraph.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeTf } from '../protos/tf-protos';
import { ConversionError } from './conversion-error';
import type { GraphJson, SignatureJson } from './graph-types';

export const SAVED_MODEL_PB = 'saved_model.pb';
const SERVE_TAG = 'serve';
/** Signatures TensorFlow adds for itself, not for clients. */
const INTERNAL_SIGNATURES = new Set(['__saved_model_init_op', '__saved_model_train_op']);

export interface ObjectGraphJson {
  nodes?: ObjectNodeJson[];
  concreteFunctions?: Record<string, { boundInputs?: number[] }>;
}

interface ObjectNodeJson {
  children?: { nodeId?: number; localName?: string }[];
  variable?: { dtype?: string; name?: string };
  constant?: { operation?: string };
  capturedTensor?: { name?: string };
  asset?: object;
}

export interface MetaGraph {
  graph: GraphJson;
  signatures: Record<string, SignatureJson>;
  objectGraph?: ObjectGraphJson;
  tensorflowVersion?: string;
}

interface SavedModelJson {
  metaGraphs?: {
    metaInfoDef?: { tags?: string[]; tensorflowVersion?: string };
    graphDef?: GraphJson;
    signatureDef?: Record<string, SignatureJson>;
    objectGraphDef?: ObjectGraphJson;
  }[];
}

export function readSavedModel(dir: string, label: string): MetaGraph {
  const file = path.join(dir, SAVED_MODEL_PB);
  let saved: SavedModelJson;
  try {
    saved = decodeTf<SavedModelJson>('tensorflow.SavedModel', fs.readFileSync(file));
  } catch (err) {
    throw new ConversionError(`${label}${SAVED_MODEL_PB} is not a SavedModel: ${(err as Error).message}`);
  }
  const metas = saved.metaGraphs ?? [];
  const meta = metas.find((m) => m.metaInfoDef?.tags?.includes(SERVE_TAG)) ?? (metas.length === 1 ? metas[0] : undefined);
  if (!meta?.graphDef) {
    const tags = metas.map((m) => `[${(m.metaInfoDef?.tags ?? []).join(', ')}]`).join(', ') || 'none';
    throw new ConversionError(`${label}${SAVED_MODEL_PB} has no MetaGraph tagged "${SERVE_TAG}" (its tag sets: ${tags}); export it with tags=["serve"]`);
  }
  const signatures = Object.fromEntries(Object.entries(meta.signatureDef ?? {}).filter(([key]) => !INTERNAL_SIGNATURES.has(key)));
  if (!Object.keys(signatures).length) {
    throw new ConversionError(`${label}${SAVED_MODEL_PB} has no signatures: TF Serving and this platform need at least one (save with signatures=…, or add a SignatureDef with SavedModelBuilder)`);
  }
  return { graph: meta.graphDef, signatures, objectGraph: meta.objectGraphDef, tensorflowVersion: meta.metaInfoDef?.tensorflowVersion };
}
