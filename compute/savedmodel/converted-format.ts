/** How a converted SavedModel is stored: `savedmodel.json` (this shape) beside a folder per signature. */
import type { ExampleParse } from './example-feeds';
import type { SignatureTensor } from './signature-graph';

export const CONVERTED_JSON = 'savedmodel.json';
export const DEFAULT_SIGNATURE_KEY = 'serving_default';

interface ConvertedSignatureInfo {
  method_name: string;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
  /** The folder (beside savedmodel.json) holding this signature's model.json. */
  folder: string;
  examples?: ExampleParse;
}

export interface ConvertedSavedModelJson {
  format: 'savedmodel';
  tensorflow_version?: string;
  /** The signature clients get when they name none: serving_default, else the first (as ModelArts' TF Serving base service takes it). */
  default_signature: string;
  signatures: Record<string, ConvertedSignatureInfo>;
}

