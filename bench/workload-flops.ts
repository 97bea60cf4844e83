/**
 * The arithmetic in one sample of each workload compared with PyTorch, to turn samples/s
 * into effective GFLOP/s beside the machine's sgemm rate: 2 FLOPs per multiply-add of the
 * convolutions and dense layers (elementwise work, pooling and the optimizer are not
 * counted). A training step counts the forward products, the weight gradients and the
 * input gradients (none for the first layer, whose input is the data).
 */

/** Multiply-adds ×2 of a layer per sample: output elements × the reduction each takes. */
const layer = (outputs: number, reduction: number) => 2 * outputs * reduction;

/** The DigitClassifier (samples/digit-cnn): conv 32, pool, two branches of conv 64 → pool → conv 256, dense 1000, 500, 10. */
const DIGIT_LAYERS = [
  layer(28 * 28 * 32, 3 * 3 * 1),
  2 * layer(14 * 14 * 64, 3 * 3 * 32),
  2 * layer(7 * 7 * 256, 3 * 3 * 64),
  layer(1000, 7 * 7 * 512),
  layer(500, 1000),
  layer(10, 500),
];
/** The MLP sample: 784-30-10. */
const MLP_LAYERS = [layer(30, 784), layer(10, 30)];

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const forward = (layers: number[]) => sum(layers);
const training = (layers: number[]) => 3 * sum(layers) - layers[0];

/** FLOPs per sample by the PyTorch peer's workload name. */
export const FLOPS_PER_SAMPLE: Record<string, number> = {
  'digit-train': training(DIGIT_LAYERS),
  'digit-forward': forward(DIGIT_LAYERS),
  'mlp-train': training(MLP_LAYERS),
};

export function effectiveGflops(peer: string, samplesPerS: number | undefined): number | undefined {
  const flops = FLOPS_PER_SAMPLE[peer];
  return flops && samplesPerS ? (flops * samplesPerS) / 1e9 : undefined;
}
