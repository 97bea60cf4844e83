// Matrix products on tfjs' row-major Float32Arrays: OpenBLAS' or oneDNN's sgemm, then
// an optional bias and activation in the same pass over the output. Neither library
// is faster on every shape (measured on the DigitClassifier's products, one wins by up
// to 2.6x on some shapes and loses on others), so each large shape is timed on both,
// alternately, on its first calls, and the faster one computes it from then on.
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <tuple>

#include "common.h"

namespace ma {

enum Library { OPENBLAS = 0, ONEDNN = 1, TUNE = 2 };

// Products smaller than this (in multiply-adds) go to OpenBLAS untimed: its call costs less.
static constexpr double TUNE_FROM = 4e6;
// Calls per library a shape is timed for before it is decided.
static constexpr int TUNE_CALLS = 2;

static int mode = TUNE;

struct Tuning {
  int calls[2] = {0, 0};
  double best[2] = {1e30, 1e30};
  int decided = -1;
};

using Shape = std::tuple<int64_t, int64_t, int64_t, bool, bool>;

static std::map<Shape, Tuning>& tunings() {
  static std::map<Shape, Tuning> t;
  return t;
}

static void sgemmWith(int lib, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  if (lib == ONEDNN) {
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, n);
  } else {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f, a, lda, b,
                ldb, 0.f, c, n);
  }
}

static void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  // One row (a prediction of one sample): a matrix-vector product, which reads the
  // weights once; sgemm's packing of them costs more than the product at this size.
  if (m == 1 && mode != ONEDNN) {
    // c = a·B, i.e. c = Bᵀa; B is k x n (or n x k when transposed).
    if (tb) cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.f, b, k, a, 1, 0.f, c, 1);
    else cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.f, b, n, a, 1, 0.f, c, 1);
    return;
  }
  if (mode != TUNE || double(m) * n * k < TUNE_FROM) return sgemmWith(mode == ONEDNN ? ONEDNN : OPENBLAS, ta, tb, m, n, k, a, b, c);
  Tuning& t = tunings()[Shape{m, n, k, ta, tb}];
  if (t.decided >= 0) return sgemmWith(t.decided, ta, tb, m, n, k, a, b, c);
  const int lib = t.calls[OPENBLAS] <= t.calls[ONEDNN] ? OPENBLAS : ONEDNN;
  const auto start = std::chrono::steady_clock::now();
  sgemmWith(lib, ta, tb, m, n, k, a, b, c);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  t.best[lib] = std::min(t.best[lib], seconds);
  if (++t.calls[lib] == TUNE_CALLS && t.calls[1 - lib] == TUNE_CALLS) t.decided = t.best[ONEDNN] < t.best[OPENBLAS] ? ONEDNN : OPENBLAS;
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
  // A one-row product reads the weights once: bound by memory, not helped by a second thread.
  ThreadScope scope(m == 1 ? 1 : threadsFor(double(m) * n * k));
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

// setGemm('openblas' | 'onednn' | 'tune'): one library for every product from now on,
// or each large shape on the one measured faster (the default).
static Napi::Value SetGemm(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != "openblas" && name != "onednn" && name != "tune") throw Napi::TypeError::New(info.Env(), "setGemm: openblas, onednn or tune");
  mode = name == "openblas" ? OPENBLAS : name == "onednn" ? ONEDNN : TUNE;
  if (mode == TUNE) tunings().clear();
  return info.Env().Undefined();
}

// gemmChoices(): [m, n, k, transposeA, transposeB, library, openblasSeconds, onednnSeconds] per decided shape.
static Napi::Value GemmChoices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& [shape, t] : tunings()) {
    if (t.decided < 0) continue;
    Napi::Array row = Napi::Array::New(env);
    row.Set(0u, double(std::get<0>(shape)));
    row.Set(1u, double(std::get<1>(shape)));
    row.Set(2u, double(std::get<2>(shape)));
    row.Set(3u, std::get<3>(shape));
    row.Set(4u, std::get<4>(shape));
    row.Set(5u, t.decided == ONEDNN ? "onednn" : "openblas");
    row.Set(6u, t.best[OPENBLAS]);
    row.Set(7u, t.best[ONEDNN]);
    out.Set(i++, row);
  }
  return out;
}

void registerGemm(Napi::Env env, Napi::Object exports) {
  expose<MatMul>(env, exports, "matMul");
  expose<SetGemm>(env, exports, "setGemm");
  expose<GemmChoices>(env, exports, "gemmChoices");
}

}  // namespace ma
