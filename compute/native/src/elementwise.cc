// Elementwise kernels and reductions that training steps run on large arrays: the
// broadcasts tfjs' JavaScript kernels walk element by element with index arithmetic.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "common.h"

namespace ma {

static constexpr int64_t PARALLEL_FROM = 65536;

// reluGrad(dy, x, out): dy * step(x), as tfjs computes it (NaN in x stays NaN).
static Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  const float* dy = floats(info, 0);
  const float* x = floats(info, 1);
  float* out = floats(info, 2);
  const int64_t n = static_cast<int64_t>(length(info, 2));
#pragma omp parallel for num_threads(threads()) if (n > PARALLEL_FROM) schedule(static)
  for (int64_t i = 0; i < n; i++) out[i] = dy[i] * (x[i] > 0.f ? 1.f : (x[i] != x[i] ? x[i] : 0.f));
  return info.Env().Undefined();
}

// sigmoidGrad(dy, y, out): dy * (y * (1 - y)), y being the sigmoid's output, as tfjs computes it.
static Napi::Value SigmoidGrad(const Napi::CallbackInfo& info) {
  const float* dy = floats(info, 0);
  const float* y = floats(info, 1);
  float* out = floats(info, 2);
  const int64_t n = static_cast<int64_t>(length(info, 2));
#pragma omp parallel for num_threads(threads()) if (n > PARALLEL_FROM) schedule(static)
  for (int64_t i = 0; i < n; i++) out[i] = dy[i] * (y[i] * (1.f - y[i]));
  return info.Env().Undefined();
}

// unary(activation, x, out): out = activation(x), with the activations of fused kernels.
static Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int act = static_cast<int>(integer(info, 0));
  const float* x = floats(info, 1);
  float* out = floats(info, 2);
  const float alpha = number(info, 3);
  const int64_t n = static_cast<int64_t>(length(info, 2));
  if (length(info, 1) != size_t(n)) throw Napi::RangeError::New(info.Env(), "unary: x and out differ in size");
  std::copy(x, x + n, out);
  activate(out, n, act, alpha);
  return info.Env().Undefined();
}

enum BinaryOp { ADD = 0, SUB = 1, MUL = 2, DIV = 3 };

template <int Op>
static inline float apply(float a, float b) {
  if (Op == ADD) return a + b;
  if (Op == SUB) return a - b;
  if (Op == MUL) return a * b;
  return a / b;
}

// out[r, j] = a[r?, j?] op b[r?, j?] over rows x cols, where an operand's row stride or
// column stride is 0 when it is broadcast along that axis.
// out[i] = a[i or 0] op b[i or 0] over n values: both operands whole or single values.
template <int Op>
static void flatLoop(const float* a, bool aWhole, const float* b, bool bWhole, float* out, int64_t n) {
  const float a0 = a[0], b0 = b[0];
#pragma omp parallel for num_threads(threads()) if (n > PARALLEL_FROM) schedule(static)
  for (int64_t c = 0; c < n; c += 4096) {
    const int64_t end = std::min(n, c + 4096);
    if (aWhole && bWhole) {
      for (int64_t i = c; i < end; i++) out[i] = apply<Op>(a[i], b[i]);
    } else if (aWhole) {
      for (int64_t i = c; i < end; i++) out[i] = apply<Op>(a[i], b0);
    } else if (bWhole) {
      for (int64_t i = c; i < end; i++) out[i] = apply<Op>(a0, b[i]);
    } else {
      for (int64_t i = c; i < end; i++) out[i] = apply<Op>(a0, b0);
    }
  }
}

// out[r, j] = a[r?, j?] op b[r?, j?] over rows x cols, where an operand's row stride or
// column stride is 0 when it is broadcast along that axis.
template <int Op>
static void binaryLoop(const float* a, int64_t aRow, int64_t aCol, const float* b, int64_t bRow, int64_t bCol, float* out,
                       int64_t rows, int64_t cols) {
  // Whole operands and single values need no rows: one flat loop, short rows or not.
  const bool aFlat = (aRow == cols && aCol == 1) || (aRow == 0 && aCol == 0);
  const bool bFlat = (bRow == cols && bCol == 1) || (bRow == 0 && bCol == 0);
  if (aFlat && bFlat) return flatLoop<Op>(a, aCol == 1, b, bCol == 1, out, rows * cols);
#pragma omp parallel for num_threads(threads()) if (rows * cols > PARALLEL_FROM) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* ar = a + r * aRow;
    const float* br = b + r * bRow;
    float* o = out + r * cols;
    if (aCol == 1 && bCol == 1) {
      for (int64_t j = 0; j < cols; j++) o[j] = apply<Op>(ar[j], br[j]);
    } else if (aCol == 1) {
      for (int64_t j = 0; j < cols; j++) o[j] = apply<Op>(ar[j], br[0]);
    } else if (bCol == 1) {
      for (int64_t j = 0; j < cols; j++) o[j] = apply<Op>(ar[0], br[j]);
    } else {
      for (int64_t j = 0; j < cols; j++) o[j] = apply<Op>(ar[0], br[0]);
    }
  }
}

// binary(op, a, b, out, rows, cols, [aRow, aCol, bRow, bCol])
static Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = static_cast<int>(integer(info, 0));
  const float* a = floats(info, 1);
  const float* b = floats(info, 2);
  float* out = floats(info, 3);
  const int64_t rows = integer(info, 4), cols = integer(info, 5);
  std::vector<int64_t> s = integers(info, 6);
  if (s.size() != 4) throw Napi::TypeError::New(info.Env(), "binary: 4 strides expected");
  switch (op) {
    case ADD: binaryLoop<ADD>(a, s[0], s[1], b, s[2], s[3], out, rows, cols); break;
    case SUB: binaryLoop<SUB>(a, s[0], s[1], b, s[2], s[3], out, rows, cols); break;
    case MUL: binaryLoop<MUL>(a, s[0], s[1], b, s[2], s[3], out, rows, cols); break;
    case DIV: binaryLoop<DIV>(a, s[0], s[1], b, s[2], s[3], out, rows, cols); break;
    default: throw Napi::TypeError::New(info.Env(), "binary: unknown operation");
  }
  return info.Env().Undefined();
}

// Sums accumulate in double, as the cpu kernels' JavaScript numbers do.

// sumRows(x, out, rows, cols): out[j] = sum over r of x[r, j] (reducing leading axes).
static Napi::Value SumRows(const Napi::CallbackInfo& info) {
  const float* x = floats(info, 0);
  float* out = floats(info, 1);
  const int64_t rows = integer(info, 2), cols = integer(info, 3);
  const int n = threads();
  std::vector<double> partial(static_cast<size_t>(n) * cols, 0.0);
#pragma omp parallel num_threads(n) if (rows * cols > PARALLEL_FROM)
  {
    double* mine = partial.data() + static_cast<int64_t>(omp_get_thread_num()) * cols;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* row = x + r * cols;
      for (int64_t j = 0; j < cols; j++) mine[j] += row[j];
    }
  }
  for (int64_t j = 0; j < cols; j++) {
    double s = 0.0;
    for (int t = 0; t < n; t++) s += partial[static_cast<size_t>(t) * cols + j];
    out[j] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// sumCols(x, out, rows, cols): out[r] = sum over j of x[r, j] (reducing trailing axes).
static Napi::Value SumCols(const Napi::CallbackInfo& info) {
  const float* x = floats(info, 0);
  float* out = floats(info, 1);
  const int64_t rows = integer(info, 2), cols = integer(info, 3);
#pragma omp parallel for num_threads(threads()) if (rows * cols > PARALLEL_FROM) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * cols;
    double s = 0.0;
    for (int64_t j = 0; j < cols; j++) s += row[j];
    out[r] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

void registerElementwise(Napi::Env env, Napi::Object exports) {
  expose<ReluGrad>(env, exports, "reluGrad");
  expose<SigmoidGrad>(env, exports, "sigmoidGrad");
  expose<Unary>(env, exports, "unary");
  expose<Binary>(env, exports, "binary");
  expose<SumRows>(env, exports, "sumRows");
  expose<SumCols>(env, exports, "sumCols");
}

}  // namespace ma
