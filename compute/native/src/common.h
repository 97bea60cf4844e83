// Shared by the kernels: reading tfjs' typed arrays without copying, and the thread
// count every parallel loop and library call uses.
#pragma once
#include <napi.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace ma {

// A Float32Array argument's elements, in place (the backend's own storage).
inline float* floats(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a Float32Array");
  }
  return info[i].As<Napi::Float32Array>().Data();
}

// The same, or nullptr where the argument is null/undefined (an optional bias).
inline float* optionalFloats(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  return floats(info, i);
}

inline size_t length(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::TypedArray>().ElementLength();
}

inline int64_t integer(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number");
  }
  return info[i].As<Napi::Number>().Int64Value();
}

inline float number(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number");
  }
  return info[i].As<Napi::Number>().FloatValue();
}

// An array of numbers (a shape, strides, paddings).
inline std::vector<int64_t> integers(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) {
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an array of numbers");
  }
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out[k] = a.Get(k).As<Napi::Number>().Int64Value();
  return out;
}

// Wraps a kernel so that a library's C++ exception (oneDNN's dnnl::error …) reaches
// JavaScript as an Error instead of ending the process.
template <Napi::Value (*Kernel)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return Kernel(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("native kernel: ") + e.what());
  }
}

template <Napi::Value (*Kernel)(const Napi::CallbackInfo&)>
void expose(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<Kernel>, name));
}

// Compiles a loop for AVX-512, AVX2 and plain x86-64, picked at load time for the
// machine it runs on (the addon may be built on one machine and run on another).
#if defined(__x86_64__) && defined(__GNUC__)
#define MA_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MA_VECTOR_CLONES
#endif

// Activations applied after a bias, as tfjs names them in fused kernels (0-5), and
// other elementwise functions of one value.
enum Activation {
  LINEAR = 0, RELU = 1, RELU6 = 2, SIGMOID = 3, ELU = 4, LEAKY_RELU = 5,
  SQRT = 6, SQUARE = 7, TANH = 8, EXP = 9, LOG = 10, NEG = 11, ABS = 12
};

// Applies `act` in place to n values (alpha: leaky relu's slope).
void activate(float* v, int64_t n, int act, float alpha);

// Threads the kernels use (set by setThreads).
int threads();

// Below this many multiply-adds a kernel runs on one thread: splitting it costs about as
// much as it saves, and on a busy machine the second thread may wait for a core and hold
// the whole kernel up (a prediction of one sample is all such kernels).
constexpr double SMALL_WORK = 4e6;

inline int threadsFor(double work) { return work < SMALL_WORK ? 1 : threads(); }

// Sets the OpenMP and OpenBLAS thread count for one kernel, and back afterwards.
class ThreadScope {
 public:
  explicit ThreadScope(int n);
  ~ThreadScope();
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  bool changed;
};

void registerGemm(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerOptimizers(Napi::Env env, Napi::Object exports);

}  // namespace ma
