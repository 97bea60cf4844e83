// Optimizer updates in one pass over each variable, in place: what tfjs does in about
// ten whole-array operations per variable (each allocating an array the size of the
// variable) is one loop here.
#include <algorithm>
#include <cmath>

#include "common.h"

namespace ma {

// One thread's share of the update; restrict lets the compiler vectorise it.
MA_VECTOR_CLONES
static void adamRange(float* __restrict value, const float* __restrict g, float* __restrict m, float* __restrict v,
                      int64_t from, int64_t to, float lr, float b1, float b2, float eps, float c1, float c2) {
  for (int64_t i = from; i < to; i++) {
    const float mi = b1 * m[i] + (1.f - b1) * g[i];
    const float vi = b2 * v[i] + (1.f - b2) * (g[i] * g[i]);
    m[i] = mi;
    v[i] = vi;
    value[i] += (mi / c1) / (std::sqrt(vi / c2) + eps) * -lr;
  }
}

// adam(value, gradient, m, v, learningRate, beta1, beta2, epsilon, accBeta1, accBeta2):
// tfjs' AdamOptimizer update, with accBeta = beta^t before this step's update.
static Napi::Value Adam(const Napi::CallbackInfo& info) {
  float* value = floats(info, 0);
  const float* g = floats(info, 1);
  float* m = floats(info, 2);
  float* v = floats(info, 3);
  const float lr = number(info, 4), b1 = number(info, 5), b2 = number(info, 6), eps = number(info, 7);
  const float c1 = 1.f - number(info, 8), c2 = 1.f - number(info, 9);
  const int64_t n = static_cast<int64_t>(length(info, 0));
  if (length(info, 1) != size_t(n) || length(info, 2) != size_t(n) || length(info, 3) != size_t(n)) {
    throw Napi::RangeError::New(info.Env(), "adam: value, gradient and moments differ in size");
  }
  const int64_t chunk = 16384;
#pragma omp parallel for num_threads(threads()) if (n > 4 * chunk) schedule(static)
  for (int64_t from = 0; from < n; from += chunk) {
    adamRange(value, g, m, v, from, std::min(n, from + chunk), lr, b1, b2, eps, c1, c2);
  }
  return info.Env().Undefined();
}

// axpy(a, x, y): y += a * x (SGD's update, a = -learning rate), rounded as tfjs rounds it.
static Napi::Value Axpy(const Napi::CallbackInfo& info) {
  const float a = number(info, 0);
  const float* x = floats(info, 1);
  float* y = floats(info, 2);
  const int64_t n = static_cast<int64_t>(length(info, 2));
  if (length(info, 1) != size_t(n)) throw Napi::RangeError::New(info.Env(), "axpy: x and y differ in size");
#pragma omp parallel for num_threads(threads()) if (n > 262144) schedule(static)
  for (int64_t i = 0; i < n; i++) y[i] = y[i] + a * x[i];
  return info.Env().Undefined();
}

void registerOptimizers(Napi::Env env, Napi::Object exports) {
  expose<Adam>(env, exports, "adam");
  expose<Axpy>(env, exports, "axpy");
}

}  // namespace ma
