// The module's entry: library versions, the thread count, and every kernel group.
#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <string>

#include "common.h"

namespace ma {

static int threadCount = 1;

int threads() { return threadCount; }

ThreadScope::ThreadScope(int n) : changed(n != threadCount) {
  if (!changed) return;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

ThreadScope::~ThreadScope() {
  if (!changed) return;
  omp_set_num_threads(threadCount);
  openblas_set_num_threads(threadCount);
}

// One operation over a range; the switch stays outside the loop so each loop is plain.
template <int Act>
static inline float one(float x, float alpha) {
  // As tfjs' cpu kernels: NaN stays NaN.
  switch (Act) {
    case RELU: return x < 0.f ? 0.f : x;
    case RELU6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case SIGMOID: return 1.f / (1.f + std::exp(-x));
    case ELU: return x >= 0.f ? x : std::expm1(x);
    case LEAKY_RELU: return x < 0.f ? alpha * x : x;
    case SQRT: return std::sqrt(x);
    case SQUARE: return x * x;
    case TANH: return std::tanh(x);
    case EXP: return std::exp(x);
    case LOG: return std::log(x);
    case NEG: return -x;
    case ABS: return std::fabs(x);
    default: return x;
  }
}

template <int Act>
static void activateAll(float* v, int64_t n, float alpha) {
#pragma omp parallel for num_threads(threadCount) if (n > 32768) schedule(static)
  for (int64_t i = 0; i < n; i++) v[i] = one<Act>(v[i], alpha);
}

void activate(float* v, int64_t n, int act, float alpha) {
  switch (act) {
    case RELU: return activateAll<RELU>(v, n, alpha);
    case RELU6: return activateAll<RELU6>(v, n, alpha);
    case SIGMOID: return activateAll<SIGMOID>(v, n, alpha);
    case ELU: return activateAll<ELU>(v, n, alpha);
    case LEAKY_RELU: return activateAll<LEAKY_RELU>(v, n, alpha);
    case SQRT: return activateAll<SQRT>(v, n, alpha);
    case SQUARE: return activateAll<SQUARE>(v, n, alpha);
    case TANH: return activateAll<TANH>(v, n, alpha);
    case EXP: return activateAll<EXP>(v, n, alpha);
    case LOG: return activateAll<LOG>(v, n, alpha);
    case NEG: return activateAll<NEG>(v, n, alpha);
    case ABS: return activateAll<ABS>(v, n, alpha);
    default: return;
  }
}

// setThreads(n): every later kernel uses n threads (OpenMP for oneDNN and our loops,
// OpenBLAS' own pool for its products).
static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(integer(info, 0));
  if (n < 1) n = 1;
  threadCount = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  return info.Env().Undefined();
}

static Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  const dnnl_version_t* v = dnnl_version();
  out.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  out.Set("onednnCpuIsa", static_cast<int>(dnnl::get_effective_cpu_isa()));
  out.Set("openblas", std::string(openblas_get_config()));
  out.Set("openblasCore", std::string(openblas_get_corename()));
  out.Set("threads", threadCount);
  out.Set("maxThreads", omp_get_num_procs());
  return out;
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  threadCount = omp_get_max_threads();
  expose<SetThreads>(env, exports, "setThreads");
  expose<Info>(env, exports, "info");
  registerGemm(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerElementwise(env, exports);
  registerOptimizers(env, exports);
  return exports;
}

}  // namespace ma

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return ma::Init(env, exports); }

NODE_API_MODULE(ma_native, InitModule)
