// Max pooling on NHWC arrays and its gradient, with the cpu backend's rules: padding
// never wins, the first of equal maxima (in window order) takes the gradient, NaN is
// never a maximum. Channels are the inner loop, so the compiler vectorises it.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"

namespace ma {

// N, H, W, C, OH, OW, filter h/w, stride h/w, dilation h/w, pad top/left.
struct PoolShape {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, dh, dw, pt, pl;
};

static PoolShape poolArg(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> d = integers(info, i);
  if (d.size() != 14) throw Napi::TypeError::New(info.Env(), "pool: 14 dimensions expected");
  return {d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13]};
}

// The first in-bounds tap at or after `corner` (taps step by the dilation).
static int64_t firstTap(int64_t corner, int64_t dilation) {
  int64_t t = corner;
  while (t < 0) t += dilation;
  return t;
}

// For one output pixel: the maximum per channel (into best) and where it is (flat
// input index into pos, -1 where no tap was above -Infinity).
static void windowMax(const float* x, const PoolShape& s, int64_t b, int64_t oy, int64_t ox, float* best, int64_t* pos) {
  const int64_t rc = oy * s.sh - s.pt, cc = ox * s.sw - s.pl;
  const int64_t rEnd = std::min(s.h, rc + (s.fh - 1) * s.dh + 1), cEnd = std::min(s.w, cc + (s.fw - 1) * s.dw + 1);
  for (int64_t c = 0; c < s.c; c++) {
    best[c] = -std::numeric_limits<float>::infinity();
    if (pos) pos[c] = -1;
  }
  for (int64_t r = firstTap(rc, s.dh); r < rEnd; r += s.dh) {
    for (int64_t q = firstTap(cc, s.dw); q < cEnd; q += s.dw) {
      const int64_t at = ((b * s.h + r) * s.w + q) * s.c;
      const float* px = x + at;
      if (pos) {
        for (int64_t c = 0; c < s.c; c++) {
          if (px[c] > best[c]) {
            best[c] = px[c];
            pos[c] = at + c;
          }
        }
      } else {
        for (int64_t c = 0; c < s.c; c++) best[c] = px[c] > best[c] ? px[c] : best[c];
      }
    }
  }
}

// maxPool(x, out, dims[14])
static Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  const float* x = floats(info, 0);
  float* out = floats(info, 1);
  PoolShape s = poolArg(info, 2);
#pragma omp parallel for num_threads(threadsFor(double(s.n) * s.oh * s.ow * s.c * s.fh * s.fw)) collapse(2) schedule(static)
  for (int64_t b = 0; b < s.n; b++) {
    for (int64_t oy = 0; oy < s.oh; oy++) {
      for (int64_t ox = 0; ox < s.ow; ox++) windowMax(x, s, b, oy, ox, out + ((b * s.oh + oy) * s.ow + ox) * s.c, nullptr);
    }
  }
  return info.Env().Undefined();
}

// maxPoolGrad(dy, x, dx, dims[14]): dx is written whole.
static Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  const float* dy = floats(info, 0);
  const float* x = floats(info, 1);
  float* dx = floats(info, 2);
  PoolShape s = poolArg(info, 3);
  const int64_t image = s.h * s.w * s.c;
  // Images are independent: each thread owns whole images of dx, so no two add to one value.
#pragma omp parallel num_threads(threadsFor(double(s.n) * s.oh * s.ow * s.c * s.fh * s.fw))
  {
    std::vector<float> best(s.c);
    std::vector<int64_t> pos(s.c);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < s.n; b++) {
      std::fill(dx + b * image, dx + (b + 1) * image, 0.f);
      for (int64_t oy = 0; oy < s.oh; oy++) {
        for (int64_t ox = 0; ox < s.ow; ox++) {
          windowMax(x, s, b, oy, ox, best.data(), pos.data());
          const float* g = dy + ((b * s.oh + oy) * s.ow + ox) * s.c;
          for (int64_t c = 0; c < s.c; c++) {
            if (pos[c] >= 0) dx[pos[c]] += g[c];
          }
        }
      }
    }
  }
  return info.Env().Undefined();
}

void registerPool(Napi::Env env, Napi::Object exports) {
  expose<MaxPool>(env, exports, "maxPool");
  expose<MaxPoolGrad>(env, exports, "maxPoolGrad");
}

}  // namespace ma
