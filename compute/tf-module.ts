import type * as TfModule from '@tensorflow/tfjs';

/** The tfjs API, as a type: kernels and model code take it as a parameter (the process's one tfjs, chosen in tf.ts). */
export type Tf = typeof TfModule;
