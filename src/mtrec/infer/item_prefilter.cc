#include "mtrec/infer/item_prefilter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "mtrec/core/avx512.h"
#include "mtrec/core/check.h"
#include "mtrec/eval/top_k.h"

namespace mtrec {

std::unique_ptr<const ItemPrefilter> ItemPrefilter::Build(const MultiTaskNet& net) {
  const ModelConfig& shape = net.config();
  std::unique_ptr<ItemPrefilter> p(new ItemPrefilter());
  const int64_t n = shape.num_items, d = shape.RankingDim();
  p->num_items_ = n;
  p->dim_ = d;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  p->codes_.assign(static_cast<size_t>(blocks * d * kBlock), 0);
  p->scale_.assign(static_cast<size_t>(blocks * kBlock), 0.0f);
  p->bias_.assign(static_cast<size_t>(blocks * kBlock), 0.0f);
  const float* q = net.Row(net.roles().q_fact, 0);
  const float* bias = net.Row(net.roles().item_bias, 0);
  for (int64_t i = 0; i < n; ++i) {
    const float* row = q + i * d;
    float top = 0;
    for (int64_t c = 0; c < d; ++c) {
      if (!std::isfinite(row[c])) return nullptr;
      top = std::max(top, std::abs(row[c]));
    }
    if (!std::isfinite(bias[i])) return nullptr;
    p->bias_[i] = bias[i];
    int8_t* codes = p->codes_.data() + ((i / kBlock) * d) * kBlock + i % kBlock;
    if (top < 1e-30f) {
      // Codes 0: |q - 0| <= top, within 0.51 of a scale of 2 * top (and no
      // division by a subnormal scale).
      p->scale_[i] = 2 * top;
      continue;
    }
    const float scale = top / 127.0f;
    p->scale_[i] = scale;
    for (int64_t c = 0; c < d; ++c) {
      // |row[c] / scale - code| <= 0.5 plus the division's rounding (< 1e-5).
      const float code = std::clamp(std::nearbyint(row[c] / scale), -127.0f, 127.0f);
      codes[c * kBlock] = static_cast<int8_t>(code);
    }
  }
  return p;
}

bool ItemPrefilter::Select(const MultiTaskNet& net, UserId user,
                           std::span<const uint8_t> candidate, std::span<const ItemId> excluded,
                           int k, std::vector<float>& scores, std::vector<float>& bounds,
                           std::vector<ItemId>& survivors, std::vector<ItemId>& top) const {
  const int64_t n = num_items_, d = dim_;
  MTREC_CHECK(static_cast<int64_t>(candidate.size()) == n);
  const float* u = net.Row(net.roles().u_fact, user);
  const float user_bias = net.roles().user_bias >= 0 ? *net.Row(net.roles().user_bias, user) : 0.0f;
  float u1 = 0;  // ||u||_1
  for (int64_t c = 0; c < d; ++c) u1 += std::abs(u[c]);
  if (!std::isfinite(u1) || !std::isfinite(user_bias) || k < 1) return false;
  // |computed score - A_i| <= E_i = scale_i * per_scale + relative * (|A_i| + |b_i| + |ub|) + tiny:
  // the codes' error (0.51 scale per column, times ||u||_1), the two dot
  // products' roundings (each at most gamma_d * ||u||_1 * 127 scale; taken
  // twice over) and the roundings of the bias additions and of A_i's own
  // products and sums (2^-20 relative, 8x theirs).
  const double unit = std::ldexp(1.0, -24);
  const double gamma = static_cast<double>(d) * unit / (1 - static_cast<double>(d) * unit);
  const auto per_scale = static_cast<float>(static_cast<double>(u1) * (0.51 + 4 * 127 * gamma));
  const float relative = std::ldexp(1.0f, -20);
  constexpr float kTiny = 1e-30f;
  const float abs_ub = std::abs(user_bias);

  // 1. Each block of 16 items: A_i from the codes, E_i, and the upper bounds
  // A_i + E_i kept in `scores`; the lower bounds A_i - E_i of the candidates
  // through a min-heap of the k largest, whose front ends as T.
  scores.resize(scale_.size());  // whole blocks
  bounds.clear();
  const auto kept = static_cast<size_t>(k);
  auto next_excluded = excluded.begin();
  float dots[kBlock], lower[kBlock];  // a block's code dots and lower bounds
  for (int64_t first = 0; first < n; first += kBlock) {
    const int64_t count = std::min<int64_t>(kBlock, n - first);
    const int8_t* codes = codes_.data() + first * d;
#ifdef MTREC_AVX512
    // Four partial sums, so that four FMA chains overlap (any order of the
    // sum is within the bound).
    const auto column = [&](int64_t c) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(codes + c * kBlock));
      return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
    };
    __m512 sum[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    int64_t c = 0;
    for (; c + 4 <= d; c += 4) {
      for (int j = 0; j < 4; ++j) {
        sum[j] = _mm512_fmadd_ps(_mm512_set1_ps(u[c + j]), column(c + j), sum[j]);
      }
    }
    for (; c < d; ++c) sum[0] = _mm512_fmadd_ps(_mm512_set1_ps(u[c]), column(c), sum[0]);
    _mm512_storeu_ps(dots, _mm512_add_ps(_mm512_add_ps(sum[0], sum[1]),
                                         _mm512_add_ps(sum[2], sum[3])));
#else
    std::fill(dots, dots + kBlock, 0.0f);
    for (int64_t c = 0; c < d; ++c) {
      for (int l = 0; l < kBlock; ++l) dots[l] += u[c] * static_cast<float>(codes[c * kBlock + l]);
    }
#endif
    // Whole blocks (scale_ and bias_ are padded with zeros to them).
    const float* scale = scale_.data() + first;
    const float* b = bias_.data() + first;
    float* upper = scores.data() + first;
    for (int l = 0; l < kBlock; ++l) {
      const float approx = scale[l] * dots[l] + b[l] + user_bias;
      const float e = scale[l] * per_scale + relative * (std::abs(approx) + std::abs(b[l]) + abs_ub) +
                      kTiny;
      upper[l] = approx + e;
      lower[l] = approx - e;
    }
    const float front =
        bounds.size() == kept ? bounds.front() : -std::numeric_limits<float>::infinity();
    bool any_nan = false, any_above = false;
    for (int l = 0; l < kBlock; ++l) {
      any_nan |= lower[l] != lower[l] || upper[l] != upper[l];
      any_above |= lower[l] > front;
    }
    if (any_nan) return false;  // an overflow: no bound to trust
    if (!any_above) continue;   // the whole block stays below the k kept
    for (int64_t l = 0; l < count; ++l) {
      const auto i = static_cast<ItemId>(first + l);
      if (bounds.size() == kept && !(lower[l] > bounds.front())) continue;
      if (!candidate[i]) continue;
      while (next_excluded != excluded.end() && *next_excluded < i) ++next_excluded;
      if (next_excluded != excluded.end() && *next_excluded == i) continue;
      if (bounds.size() == kept) {
        std::pop_heap(bounds.begin(), bounds.end(), std::greater<float>());
        bounds.back() = lower[l];
      } else {
        bounds.push_back(lower[l]);
      }
      std::push_heap(bounds.begin(), bounds.end(), std::greater<float>());
    }
  }
  if (bounds.size() < kept) return false;  // k covers every candidate
  const float threshold = bounds.front();
  if (!std::isfinite(threshold)) return false;

  // 2. The exact scores of the candidates whose upper bound reaches T.
  survivors.clear();
  next_excluded = excluded.begin();
  for (int64_t first = 0; first < n; first += kBlock) {
    const int64_t count = std::min<int64_t>(kBlock, n - first);
    bool any = false;
    for (int64_t l = 0; l < count; ++l) any |= scores[first + l] >= threshold;
    if (!any) continue;
    for (int64_t l = 0; l < count; ++l) {
      const auto i = static_cast<ItemId>(first + l);
      if (!(scores[i] >= threshold) || !candidate[i]) continue;
      while (next_excluded != excluded.end() && *next_excluded < i) ++next_excluded;
      if (next_excluded != excluded.end() && *next_excluded == i) continue;
      scores[i] = net.Score(user, i);
      survivors.push_back(i);
    }
  }
  const std::span<const float> exact(scores);
  std::sort(survivors.begin(), survivors.end(),
            [&](ItemId a, ItemId b) { return RanksBefore(exact, a, b); });
  top.assign(survivors.begin(), survivors.begin() + std::min(survivors.size(), kept));
  return true;
}

int64_t ItemPrefilter::memory_bytes() const {
  return static_cast<int64_t>(codes_.size() * sizeof(int8_t) +
                              (scale_.size() + bias_.size()) * sizeof(float));
}

}  // namespace mtrec
