#include "mtrec/model/multitask_net.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <string>

#include "mtrec/core/avx512.h"
#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/core/vector_kernels.h"

namespace mtrec {

namespace {

#ifdef MTREC_AVX512
// Transposes the 16x16 floats of r in place: lane i of r[j] <- lane j of r[i].
[[gnu::always_inline]] inline void Transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  const auto lo = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  const auto hi = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  for (int i = 0; i < 16; i += 4) {
    r[i] = lo(t[i], t[i + 2]);
    r[i + 1] = hi(t[i], t[i + 2]);
    r[i + 2] = lo(t[i + 1], t[i + 3]);
    r[i + 3] = hi(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0x88);
    t[4 + i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0xDD);
    t[8 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0x88);
    t[12 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0xDD);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xDD);
    r[4 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0x88);
    r[12 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0xDD);
  }
}

// The factorisation dots of 16 consecutive item rows (`rows`, d floats each)
// with `user`, lane l item l: each lane the same FMA chain over k = 0..d-1 as
// the scalar loops, so bit-identical to them. The rows are read in order and
// transposed in registers, 16 columns at a time.
[[gnu::always_inline]] inline __m512 Dot16(const float* user, const float* rows, int64_t d) {
  __m512 acc = _mm512_setzero_ps();
  __m512 r[16];
  int64_t k0 = 0;
  for (; k0 + 16 <= d; k0 += 16) {
    for (int l = 0; l < 16; ++l) r[l] = _mm512_loadu_ps(rows + l * d + k0);
    Transpose16(r);
    for (int k = 0; k < 16; ++k) acc = _mm512_fmadd_ps(_mm512_set1_ps(user[k0 + k]), r[k], acc);
  }
  if (k0 < d) {  // the last d % 16 columns; the masked-off lanes are never added
    const int width = static_cast<int>(d - k0);
    const auto mask = static_cast<__mmask16>((1u << width) - 1);
    for (int l = 0; l < 16; ++l) r[l] = _mm512_maskz_loadu_ps(mask, rows + l * d + k0);
    Transpose16(r);
    for (int k = 0; k < width; ++k) {
      acc = _mm512_fmadd_ps(_mm512_set1_ps(user[k0 + k]), r[k], acc);
    }
  }
  return acc;
}
#endif

// Uniform double in [0, 1) from 53 random bits (portable, unlike std::*_distribution).
double Uniform01(std::mt19937_64& gen) { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }

void FillNormal(std::mt19937_64& gen, double stddev, std::span<float> out) {
  for (size_t k = 0; k < out.size(); k += 2) {
    // Box-Muller; 1 - u1 lies in (0, 1], so the log is finite.
    const double u1 = 1.0 - Uniform01(gen);
    const double u2 = Uniform01(gen);
    const double radius = std::sqrt(-2.0 * std::log(u1)) * stddev;
    const double angle = 2.0 * std::numbers::pi * u2;
    out[k] = static_cast<float>(radius * std::cos(angle));
    if (k + 1 < out.size()) out[k + 1] = static_cast<float>(radius * std::sin(angle));
  }
}

void FillUniform(std::mt19937_64& gen, double bound, std::span<float> out) {
  for (float& v : out) v = static_cast<float>((2.0 * Uniform01(gen) - 1.0) * bound);
}

constexpr int kPredictChunk = 256;

// a . b: one FMA chain over the dimensions in order.
float FmaDot(const float* a, const float* b, int64_t d) {
  float acc = 0.0f;
  for (int64_t k = 0; k < d; ++k) acc = FusedMulAdd(a[k], b[k], acc);
  return acc;
}

}  // namespace

MultiTaskNet::MultiTaskNet(const ModelConfig& config) : MultiTaskNet(config, true) {}

MultiTaskNet::MultiTaskNet(const ModelConfig& config, bool with_params)
    : config_(config), mlp_(3 * config.embedding_dim, config.hidden_layers) {
  MTREC_CHECK(config.Validate().ok());
  Build(config, mlp_, layout_, roles_);
  if (with_params) params_.assign(layout_.total_size(), 0.0f);
}

MultiTaskNet MultiTaskNet::ShapeOnly(const ModelConfig& config) {
  return MultiTaskNet(config, false);
}

ParameterLayout MultiTaskNet::LayoutOf(const ModelConfig& config) {
  MTREC_CHECK(config.Validate().ok());
  ParameterLayout layout;
  Roles roles;
  Build(config, MlpShape(3 * config.embedding_dim, config.hidden_layers), layout, roles);
  return layout;
}

void MultiTaskNet::Build(const ModelConfig& config, const MlpShape& mlp, ParameterLayout& layout,
                         Roles& roles) {
  const int64_t nu = config.num_users, ni = config.num_items, d = config.embedding_dim;
  const int64_t rd = config.RankingDim();  // == d when shared (Validate)
  if (config.shared_embeddings) {
    roles.u_fact = roles.u_reg = layout.Add("U", nu, d);
    roles.q_fact = roles.q_reg = layout.Add("Q", ni, d);
  } else {
    roles.u_reg = layout.Add("U_reg", nu, d);
    roles.q_reg = layout.Add("Q_reg", ni, d);
    roles.u_fact = layout.Add("U_fact", nu, rd);
    roles.q_fact = layout.Add("Q_fact", ni, rd);
  }
  roles.item_bias = layout.Add("B", ni, 1);
  if (config.user_bias) roles.user_bias = layout.Add("A", nu, 1);
  if (config.rating_biases) {
    roles.rating_user_bias = layout.Add("rating_user_bias", nu, 1);
    roles.rating_item_bias = layout.Add("rating_item_bias", ni, 1);
  }
  if (config.rating_implicit) roles.implicit_item = layout.Add("rating_implicit_item", ni, d);
  roles.mlp_offset = layout.total_size();
  for (int l = 0; l < mlp.num_layers(); ++l) {
    // nn.Sequential numbers Linear, ReLU, Linear, ...: the Linears are 0, 2, 4, ...
    const std::string prefix = "mlp_layers." + std::to_string(2 * l);
    const int w = layout.Add(prefix + ".weight", mlp.out(l), mlp.in(l));
    const int b = layout.Add(prefix + ".bias", mlp.out(l), 1);
    MTREC_CHECK(layout.block(w).offset - roles.mlp_offset == mlp.weight_offset(l));
    MTREC_CHECK(layout.block(b).offset - roles.mlp_offset == mlp.bias_offset(l));
  }
}

void MultiTaskNet::InitRandom(uint64_t seed) {
  DrawInitialValues(config_, seed, [&](int block, int64_t first, std::span<const float> values) {
    std::copy(values.begin(), values.end(), params_.data() + layout_.block(block).offset + first);
  });
}

void MultiTaskNet::DrawInitialValues(const ModelConfig& config, uint64_t seed,
                                     const InitTake& take) {
  constexpr int64_t kPiece = int64_t{1} << 20;  // even: FillNormal draws in pairs
  const ParameterLayout layout = LayoutOf(config);
  std::mt19937_64 gen(seed), ranking_gen(seed ^ kRankingStream);
  std::vector<float> piece;
  int64_t fan_in = 0;  // of the last nn.Linear weight seen; its bias comes next
  for (int index = 0; index < std::ssize(layout.blocks()); ++index) {
    const ParamBlock& b = layout.block(index);
    if (b.name.starts_with("mlp_layers.") && b.name.ends_with(".weight")) fan_in = b.cols;
    // A ranking table of its own width: its own stream, and the first skips
    // the draws of the table at embedding_dim (two per Box-Muller pair).
    const bool own_stream = b.name.ends_with("_fact") && b.cols != config.embedding_dim;
    if (own_stream) gen.discard(2 * ((b.rows * config.embedding_dim + 1) / 2));
    for (int64_t first = 0; first < b.size(); first += kPiece) {
      piece.resize(std::min(kPiece, b.size() - first));
      if (b.name == "B" || b.name == "A" || b.name.starts_with("rating_")) {
        std::fill(piece.begin(), piece.end(), 0.0f);  // ZeroEmbedding
      } else if (b.name.starts_with("mlp_layers.")) {
        // kaiming_uniform_(a=sqrt(5)) for the weight and the bias rule both give
        // U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        FillUniform(gen, 1.0 / std::sqrt(static_cast<double>(fan_in)), piece);
      } else {
        FillNormal(own_stream ? ranking_gen : gen, 1.0 / static_cast<double>(b.cols),
                   piece);  // ScaledEmbedding
      }
      take(index, first, piece);
    }
  }
}

void MultiTaskNet::ScoreAllItems(UserId u, std::span<float> out) const {
  MTREC_DCHECK(static_cast<int64_t>(out.size()) == config_.num_items);
  const int64_t d = ranking_dim();
  const float* user = Row(roles_.u_fact, u);
  const float* items = Row(roles_.q_fact, 0);
  const float* bias = Row(roles_.item_bias, 0);
  const float user_bias = roles_.user_bias >= 0 ? *Row(roles_.user_bias, u) : 0.0f;
  const int64_t n = config_.num_items;
  int64_t i = 0;
#ifdef MTREC_AVX512
  // Sixteen items at a time, one vector lane each (2x the loop below on
  // 59,047 items at d = 32).
  const __m512 user_bias16 = _mm512_set1_ps(user_bias);
  for (; i + 16 <= n; i += 16) {
    const __m512 acc = Dot16(user, items + i * d, d);
    _mm512_storeu_ps(out.data() + i, _mm512_add_ps(_mm512_add_ps(acc, _mm512_loadu_ps(bias + i)),
                                                   user_bias16));
  }
#endif
  // Eight items at a time, one lane each, so that the eight FMA chains overlap.
  constexpr int kLanes = 8;
  for (; i + kLanes <= n; i += kLanes) {
    float acc[kLanes] = {};
    for (int64_t k = 0; k < d; ++k) {
      for (int lane = 0; lane < kLanes; ++lane)
        acc[lane] = FusedMulAdd(user[k], items[(i + lane) * d + k], acc[lane]);
    }
    for (int lane = 0; lane < kLanes; ++lane)
      out[i + lane] = acc[lane] + bias[i + lane] + user_bias;
  }
  for (; i < n; ++i) out[i] = Score(u, static_cast<ItemId>(i));
}

float MultiTaskNet::RowDot(int user_block, UserId u, int item_block, ItemId i, int d) const {
  return FmaDot(Row(user_block, u), Row(item_block, i), d);
}

float MultiTaskNet::Score(UserId u, ItemId i) const {
  const float acc = RowDot(roles_.u_fact, u, roles_.q_fact, i, ranking_dim());
  const float user_bias = roles_.user_bias >= 0 ? *Row(roles_.user_bias, u) : 0.0f;
  return acc + *Row(roles_.item_bias, i) + user_bias;
}

float MultiTaskNet::RatingDot(UserId u, ItemId i, const float* user) const {
  if (!config_.rating_implicit) return RowDot(roles_.u_reg, u, roles_.q_reg, i, embedding_dim());
  const int d = config_.embedding_dim;
  std::vector<float> own;
  if (user == nullptr) {  // U_r[u] + z_u, as RegressionInput forms it
    own.resize(d);
    ImplicitSum(u, own.data());
    const float* ur = Row(roles_.u_reg, u);
    for (int k = 0; k < d; ++k) own[k] = ur[k] + own[k];
    user = own.data();
  }
  return FmaDot(user, Row(roles_.q_reg, i), d);
}

void MultiTaskNet::SetImplicitItems(std::shared_ptr<const UserItemSets> items) {
  implicit_items_ = std::move(items);
}

void MultiTaskNet::ImplicitSum(UserId u, float* out) const {
  MTREC_DCHECK(roles_.implicit_item >= 0);
  const int d = config_.embedding_dim;
  std::fill(out, out + d, 0.0f);
  if (implicit_items_ == nullptr || u >= implicit_items_->num_users()) return;
  const std::span<const ItemId> items = implicit_items_->Of(u);
  if (items.empty()) return;
  for (const ItemId j : items) AddTo(Row(roles_.implicit_item, j), out, d);
  const float scale = 1.0f / std::sqrt(static_cast<float>(items.size()));
  for (int k = 0; k < d; ++k) out[k] *= scale;
}

void MultiTaskNet::SetRatingOffset(float value) {
  const int last = mlp_.num_layers() - 1;
  params_[roles_.mlp_offset + mlp_.bias_offset(last)] = value;
}

void MultiTaskNet::RegressionInput(UserId u, ItemId i, float* x, const float* implicit) const {
  const int d = config_.embedding_dim;
  const float* ur = Row(roles_.u_reg, u);
  const float* qr = Row(roles_.q_reg, i);
  if (config_.rating_implicit) {
    if (implicit == nullptr) {  // z_u in the product's place until the product is formed
      ImplicitSum(u, x + 2 * d);
      implicit = x + 2 * d;
    }
    for (int k = 0; k < d; ++k) x[k] = ur[k] + implicit[k];
    ur = x;
  } else {
    std::copy(ur, ur + d, x);
  }
  std::copy(qr, qr + d, x + d);
  Mul(ur, qr, x + 2 * d, d);
}

void MultiTaskNet::PredictChunk(std::span<const UserId> users, std::span<const ItemId> items,
                                std::span<float> out, int64_t begin, int count,
                                const MlpPackedWeights& packed, MlpWorkspace& ws, float* x) const {
  const int stride = mlp_.padded_in(0);
  for (int s = 0; s < count; ++s) {
    RegressionInput(users[begin + s], items[begin + s], x + int64_t{s} * stride);
  }
  MlpForward(mlp_, packed, x, count, ws);
  for (int s = 0; s < count; ++s) {
    out[begin + s] =
        ws.output(s) + RatingTerms(users[begin + s], items[begin + s], x + int64_t{s} * stride);
  }
}

void MultiTaskNet::ReserveChunk(MlpWorkspace& ws, std::vector<float>& x) const {
  const size_t input = static_cast<size_t>(kPredictChunk) * mlp_.padded_in(0);
  bool fits = x.size() == input && ws.acts.size() == static_cast<size_t>(mlp_.num_layers());
  for (int l = 0; fits && l < mlp_.num_layers(); ++l) {
    fits = ws.acts[l].size() == static_cast<size_t>(kPredictChunk) * mlp_.padded_out(l);
  }
  if (fits) return;
  ws.Reserve(mlp_, kPredictChunk);
  x.assign(input, 0.0f);
}

void MultiTaskNet::PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                                  std::span<float> out, ThreadPool& pool) const {
  MTREC_CHECK(users.size() == items.size() && out.size() == users.size());
  const int64_t n = static_cast<int64_t>(users.size());
  const int chunks = static_cast<int>((n + kPredictChunk - 1) / kPredictChunk);
  MlpPackedWeights packed;
  packed.Pack(mlp_, params_.data() + roles_.mlp_offset);
  std::vector<MlpWorkspace> workspaces(pool.num_threads());
  std::vector<std::vector<float>> inputs(pool.num_threads());
  pool.Run(chunks, [&](int chunk, int thread) {
    ReserveChunk(workspaces[thread], inputs[thread]);
    const int64_t begin = int64_t{chunk} * kPredictChunk;
    const int count = static_cast<int>(std::min<int64_t>(kPredictChunk, n - begin));
    PredictChunk(users, items, out, begin, count, packed, workspaces[thread],
                 inputs[thread].data());
  });
}

void MultiTaskNet::PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                                  std::span<float> out, PredictScratch& scratch) const {
  MTREC_CHECK(users.size() == items.size() && out.size() == users.size());
  const int64_t n = static_cast<int64_t>(users.size());
  if (n == 0) return;
  // Packing costs about as much as scoring an ML-100K catalog; comparing the
  // weights' bits with those last packed, a tenth of that.
  const std::span<const float> weights = params().subspan(static_cast<size_t>(roles_.mlp_offset));
  bool same = scratch.packed_from.size() == weights.size() &&
              std::memcmp(scratch.packed_from.data(), weights.data(), weights.size_bytes()) == 0 &&
              scratch.packed_shape.size() == 2 * static_cast<size_t>(mlp_.num_layers());
  for (int l = 0; same && l < mlp_.num_layers(); ++l) {
    same = scratch.packed_shape[2 * l] == mlp_.in(l) && scratch.packed_shape[2 * l + 1] == mlp_.out(l);
  }
  if (!same) {
    scratch.packed.Pack(mlp_, weights.data());
    scratch.packed_from.assign(weights.begin(), weights.end());
    scratch.packed_shape.clear();
    for (int l = 0; l < mlp_.num_layers(); ++l) {
      scratch.packed_shape.push_back(mlp_.in(l));
      scratch.packed_shape.push_back(mlp_.out(l));
    }
  }
  ReserveChunk(scratch.workspace, scratch.input);
  for (int64_t begin = 0; begin < n; begin += kPredictChunk) {
    const int count = static_cast<int>(std::min<int64_t>(kPredictChunk, n - begin));
    PredictChunk(users, items, out, begin, count, scratch.packed, scratch.workspace,
                 scratch.input.data());
  }
}

}  // namespace mtrec
