// 2-D convolutions on oneDNN: forward (with bias and activation fused), the input
// gradient and the filter gradient, on tfjs' NHWC (or NCHW) arrays and HWIO filters in
// place. oneDNN picks its own weight layout; the filter is reordered into it per call
// (filters change every training step). Primitives are built once per shape.
#include <oneapi/dnnl/dnnl.hpp>

#include <memory>
#include <string>
#include <unordered_map>

#include "common.h"

namespace ma {

using dnnl::algorithm;
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

static dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

static dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

// N, C, H, W, OC, KH, KW, OH, OW, stride h/w, dilation h/w, pad top/left/bottom/right.
struct ConvShape {
  int64_t n, c, h, w, oc, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;
  bool nchw;

  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, nchw ? tag::nchw : tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, oc, oh, ow}, dt::f32, nchw ? tag::nchw : tag::nhwc); }
  memory::desc userWeights() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc anyWeights() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::any); }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilations() const { return {dh - 1, dw - 1}; }  // oneDNN counts the gaps
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }

  // Whether oneDNN's output-size formula agrees with tfjs' (it may not with 'ceil' rounding).
  bool consistent() const {
    auto out = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t a, int64_t b) {
      return (in + a + b - ((k - 1) * d + 1)) / s + 1;
    };
    return out(h, kh, sh, dh, pt, pb) == oh && out(w, kw, sw, dw, pl, pr) == ow && pt >= 0 && pl >= 0 && pb >= 0 && pr >= 0;
  }

  // Multiply-adds of the forward pass (each gradient is about as much).
  double work() const { return double(n) * oh * ow * oc * kh * kw * c; }

  // oneDNN plans a primitive for the thread count at its creation: it is part of the key.
  std::string key() const {
    std::string k;
    for (int64_t v : {n, c, h, w, oc, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr}) k += std::to_string(v) + ",";
    return k + (nchw ? "nchw" : "nhwc") + "/t" + std::to_string(threadsFor(work()));
  }
};

static ConvShape shapeArg(const Napi::CallbackInfo& info, size_t i, size_t nchwArg) {
  std::vector<int64_t> d = integers(info, i);
  if (d.size() != 17) throw Napi::TypeError::New(info.Env(), "conv: 17 dimensions expected");
  return {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16],
          info[nchwArg].ToBoolean()};
}

static dnnl::convolution_forward::primitive_desc forwardDesc(const ConvShape& s, bool bias, const dnnl::primitive_attr& attr) {
  memory::desc biasMd = bias ? memory::desc({s.oc}, dt::f32, tag::x) : memory::desc();
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, algorithm::convolution_direct, s.src(),
                                    s.anyWeights(), biasMd, s.dst(), s.strides(), s.dilations(), s.padL(), s.padR());
  return dnnl::convolution_forward::primitive_desc(d, attr, engine());
}

static dnnl::primitive_attr activationAttr(int act, float alpha) {
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  switch (act) {
    case RELU: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case RELU6: ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case SIGMOID: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case ELU: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    case LEAKY_RELU: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
  }
  attr.set_post_ops(ops);
  return attr;
}

// A primitive, the layout its weights (or weight gradient) take, and the reorder
// between that layout and tfjs' HWIO where they differ (built once: building a reorder
// costs more than running it on these filters).
struct Built {
  dnnl::primitive prim;
  memory::desc weights;
  dnnl::primitive reorder;
  bool reordered = false;
};

static Built built(const ConvShape& s, dnnl::primitive prim, const memory::desc& weights, bool toUser) {
  Built b{prim, weights, dnnl::primitive(), weights != s.userWeights()};
  if (b.reordered) {
    memory::desc user = s.userWeights();
    b.reorder = toUser ? dnnl::reorder(dnnl::reorder::primitive_desc(engine(), weights, engine(), user))
                       : dnnl::reorder(dnnl::reorder::primitive_desc(engine(), user, engine(), weights));
  }
  return b;
}

static std::unordered_map<std::string, Built>& cache() {
  static std::unordered_map<std::string, Built> c;
  return c;
}

// The filter in the primitive's layout, reordered from tfjs' HWIO where it differs.
static memory weightsIn(const ConvShape& s, const Built& b, float* user) {
  memory userMem(s.userWeights(), engine(), user);
  if (!b.reordered) return userMem;
  memory mem(b.weights, engine());
  b.reorder.execute(stream(), {{DNNL_ARG_FROM, userMem}, {DNNL_ARG_TO, mem}});
  return mem;
}

// conv2d(x, w, out, dims[17], nchw, bias|null, activation, alpha) → false where oneDNN cannot.
static Napi::Value Forward(const Napi::CallbackInfo& info) {
  ConvShape s = shapeArg(info, 3, 4);
  if (!s.consistent()) return Napi::Boolean::New(info.Env(), false);
  ThreadScope scope(threadsFor(s.work()));
  float* bias = optionalFloats(info, 5);
  int act = static_cast<int>(integer(info, 6));
  float alpha = number(info, 7);
  std::string key = "f" + s.key() + (bias ? "b" : "") + std::to_string(act) + "," + std::to_string(alpha);
  auto it = cache().find(key);
  if (it == cache().end()) {
    auto pd = forwardDesc(s, bias != nullptr, activationAttr(act, alpha));
    it = cache().emplace(key, built(s, dnnl::convolution_forward(pd), pd.weights_desc(), false)).first;
  }
  memory src(s.src(), engine(), floats(info, 0));
  memory dst(s.dst(), engine(), floats(info, 2));
  memory wei = weightsIn(s, it->second, floats(info, 1));
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({s.oc}, dt::f32, tag::x), engine(), bias));
  it->second.prim.execute(stream(), args);
  stream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

// conv2dBackpropInput(dy, w, dx, dims[17], nchw) → false where oneDNN cannot.
static Napi::Value BackwardData(const Napi::CallbackInfo& info) {
  ConvShape s = shapeArg(info, 3, 4);
  if (!s.consistent()) return Napi::Boolean::New(info.Env(), false);
  ThreadScope scope(threadsFor(s.work()));
  std::string key = "d" + s.key();
  auto it = cache().find(key);
  if (it == cache().end()) {
    auto hint = forwardDesc(s, false, dnnl::primitive_attr());
    dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, s.src(), s.anyWeights(), s.dst(), s.strides(),
                                            s.dilations(), s.padL(), s.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, engine(), hint);
    it = cache().emplace(key, built(s, dnnl::convolution_backward_data(pd), pd.weights_desc(), false)).first;
  }
  memory diffDst(s.dst(), engine(), floats(info, 0));
  memory diffSrc(s.src(), engine(), floats(info, 2));
  memory wei = weightsIn(s, it->second, floats(info, 1));
  it->second.prim.execute(stream(), {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, diffSrc}});
  stream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

// conv2dBackpropFilter(x, dy, dw, dims[17], nchw) → false where oneDNN cannot.
static Napi::Value BackwardWeights(const Napi::CallbackInfo& info) {
  ConvShape s = shapeArg(info, 3, 4);
  if (!s.consistent()) return Napi::Boolean::New(info.Env(), false);
  ThreadScope scope(threadsFor(s.work()));
  std::string key = "w" + s.key();
  auto it = cache().find(key);
  if (it == cache().end()) {
    auto hint = forwardDesc(s, false, dnnl::primitive_attr());
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, s.src(), s.anyWeights(), s.dst(),
                                               s.strides(), s.dilations(), s.padL(), s.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), hint);
    it = cache().emplace(key, built(s, dnnl::convolution_backward_weights(pd), pd.diff_weights_desc(), true)).first;
  }
  memory src(s.src(), engine(), floats(info, 0));
  memory diffDst(s.dst(), engine(), floats(info, 1));
  memory user(s.userWeights(), engine(), floats(info, 2));
  const Built& b = it->second;
  memory diffWei = b.reordered ? memory(b.weights, engine()) : user;
  b.prim.execute(stream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWei}});
  if (b.reordered) b.reorder.execute(stream(), {{DNNL_ARG_FROM, diffWei}, {DNNL_ARG_TO, user}});
  stream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

void registerConv(Napi::Env env, Napi::Object exports) {
  expose<Forward>(env, exports, "conv2d");
  expose<BackwardData>(env, exports, "conv2dBackpropInput");
  expose<BackwardWeights>(env, exports, "conv2dBackpropFilter");
}

}  // namespace ma
