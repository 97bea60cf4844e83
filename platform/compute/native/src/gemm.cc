// Matrix products on tfjs' row-major Float32Arrays: OpenBLAS' or oneDNN's sgemm (the
// faster one is picked by measurement, see setGemm), then an optional bias and
// activation in the same pass over the output.
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include "common.h"

namespace ma {

static bool useOneDnn = false;

static void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  if (useOneDnn) {
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, n);
  } else {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a, lda, b,
                ldb, 0.f, c, n);
  }
}

// Adds bias (length n: one per column, or 1) to every row of the m x n matrix c.
static void addBias(float* c, int64_t rows, int64_t n, const float* bias, int64_t biasLength) {
#pragma omp parallel for num_threads(threads()) if (rows * n > 32768) schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    float* row = c + r * n;
    if (biasLength == 1) {
      for (int64_t j = 0; j < n; j++) row[j] += bias[0];
    } else {
      for (int64_t j = 0; j < n; j++) row[j] += bias[j];
    }
  }
}

// matMul(a, b, out, batch, batchA, batchB, m, n, k, transA, transB, bias|null, activation, alpha)
// out[i] = act(op(a[i % batchA]) · op(b[i % batchB]) + bias) for i < batch.
static Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const float* a = floats(info, 0);
  const float* b = floats(info, 1);
  float* out = floats(info, 2);
  const int64_t batch = integer(info, 3), batchA = integer(info, 4), batchB = integer(info, 5);
  const int64_t m = integer(info, 6), n = integer(info, 7), k = integer(info, 8);
  const bool ta = info[9].ToBoolean(), tb = info[10].ToBoolean();
  const float* bias = optionalFloats(info, 11);
  const int act = static_cast<int>(integer(info, 12));
  const float alpha = number(info, 13);
  if (length(info, 0) < size_t(batchA * m * k) || length(info, 1) < size_t(batchB * k * n) ||
      length(info, 2) < size_t(batch * m * n)) {
    throw Napi::RangeError::New(info.Env(), "matMul: an array is shorter than its shape");
  }
  for (int64_t i = 0; i < batch; i++) {
    float* c = out + i * m * n;
    if (k == 0) {
      for (int64_t j = 0; j < m * n; j++) c[j] = 0.f;
    } else {
      sgemm(ta, tb, m, n, k, a + (i % batchA) * m * k, b + (i % batchB) * k * n, c);
    }
  }
  if (bias) addBias(out, batch * m, n, bias, static_cast<int64_t>(length(info, 11)));
  activate(out, batch * m * n, act, alpha);
  return info.Env().Undefined();
}

// setGemm('openblas' | 'onednn'): which library computes products from now on.
static Napi::Value SetGemm(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != "openblas" && name != "onednn") throw Napi::TypeError::New(info.Env(), "setGemm: openblas or onednn");
  useOneDnn = name == "onednn";
  return info.Env().Undefined();
}

void registerGemm(Napi::Env env, Napi::Object exports) {
  expose<MatMul>(env, exports, "matMul");
  expose<SetGemm>(env, exports, "setGemm");
}

}  // namespace ma
