// MultiTaskNet: the original's model (docs/semantics.md §3).
//
//   factorisation head:  p(u, i) = U_f[u] . Q_f[i] + B[i] (+ A[u] with user_bias)
//   regression head:     r(u, i) = MLP([U_r[u], Q_r[i], U_r[u] * Q_r[i]]) (+ C[u] + D[i]
//                        with rating_biases) (+ U_r[u] . Q_r[i] with rating_dot: mtrec's
//                        own head; not the original's)
//   with rating_implicit (SVD++'s implicit term), U_r[u] above reads
//   U_r[u] + z_u, z_u = |N(u)|^-1/2 sum_{j in N(u)} Y[j] (ImplicitSum)
//
// With shared embeddings U_f = U_r = U and Q_f = Q_r = Q; otherwise the heads
// have their own tables (U_fact/Q_fact and U_reg/Q_reg), U_fact/Q_fact of
// ranking_dim columns and the rest of embedding_dim. B feeds only the
// factorisation head. The user bias A of the 2022 variant is inert under BPR
// (it cancels in p(u,i) - p(u,j)) and the MLP never reads it, so it stays 0; it
// is offered for completeness and its gradient is checked to be 0.
//
// Parameters live in one flat float32 buffer, blocks in the original's creation
// (state_dict) order: shared: U, Q, B, [A], mlp_layers.*; separate: U_reg,
// Q_reg, U_fact, Q_fact, B, [A], mlp_layers.*; with rating_biases the blocks
// rating_user_bias (C) and rating_item_bias (D) come before mlp_layers.*, then with
// rating_implicit the block rating_implicit_item (Y). MLP block names follow
// nn.Sequential: mlp_layers.0.weight, mlp_layers.0.bias, mlp_layers.2.weight, ...
//
// Thread-safety: const methods may run concurrently; nothing else may run with
// a writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/core/huge_pages.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/model/mlp.h"
#include "mtrec/model/parameters.h"

namespace mtrec {

class ThreadPool;

class MultiTaskNet {
 public:
  // Builds the layout with all parameters zero. REQUIRES: config.Validate().ok().
  explicit MultiTaskNet(const ModelConfig& config);
  // The shape alone: the layout, roles and MLP shape of `config`, and no
  // parameters (params() is empty, nothing may read a row). What a rank that
  // holds only some rows of the tables shows as the whole model's
  // (Backend::net()). REQUIRES: config.Validate().ok().
  static MultiTaskNet ShapeOnly(const ModelConfig& config);
  // The layout alone, without the parameters' memory (a checkpoint's tensors).
  static ParameterLayout LayoutOf(const ModelConfig& config);

  // The original's initialisation from a seeded stream: embeddings ~ N(0, 1/dim)
  // (standard deviation 1/dim, dim the table's width), biases 0, nn.Linear weights and biases
  // ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), in creation order. The stream is
  // mtrec's own (mt19937_64, Box-Muller): PyTorch's generator is not reproduced,
  // so the same seed gives a statistically equal, not identical, init. For an
  // identical start, load a PyTorch dump (model/weights_dir.h). Ranking tables
  // whose ranking_dim differs from embedding_dim are drawn from a second
  // stream (seeded with seed ^ kRankingStream) while the first skips the draws
  // that tables of embedding_dim would take: every other block gets the
  // values it gets without ranking_dim (the rating head starts the same).
  void InitRandom(uint64_t seed);
  // InitRandom's values for a model of shape `config`, without its buffer:
  // take(block, first, values) gets the block's elements [first, first +
  // values.size()), block after block in creation order, in pieces of at most
  // 1M floats (an even count, so the Box-Muller pairs are those of the whole
  // block). A rank that holds some rows of the tables keeps those.
  using InitTake = std::function<void(int block, int64_t first, std::span<const float> values)>;
  static constexpr uint64_t kRankingStream = 0x9E3779B97F4A7C15ULL;
  static void DrawInitialValues(const ModelConfig& config, uint64_t seed, const InitTake& take);

  const ModelConfig& config() const { return config_; }
  const ParameterLayout& layout() const { return layout_; }
  const MlpShape& mlp() const { return mlp_; }
  // The rating head's width (U_r, Q_r, Y, the MLP's input 3 x it) and the
  // ranking head's (U_f, Q_f: ModelConfig::RankingDim()); equal when shared.
  int embedding_dim() const { return config_.embedding_dim; }
  int ranking_dim() const { return config_.RankingDim(); }

  std::span<float> params() { return params_; }
  std::span<const float> params() const { return params_; }

  // Indices of the blocks each role reads; u_reg == u_fact when shared, and
  // user_bias is -1 without a user bias.
  struct Roles {
    int u_fact = -1, q_fact = -1, u_reg = -1, q_reg = -1, item_bias = -1, user_bias = -1;
    int rating_user_bias = -1, rating_item_bias = -1;  // -1 without rating_biases
    int implicit_item = -1;                            // Y; -1 without rating_implicit
    int64_t mlp_offset = 0;  // flat offset of the MLP region (it runs to the end)
  };
  const Roles& roles() const { return roles_; }

  // Row pointers into the flat buffer.
  const float* Row(int block, int64_t row) const {
    return params_.data() + layout_.block(block).offset + row * layout_.block(block).cols;
  }

  // Writes the regression head's input [U_r[u], Q_r[i], U_r[u] * Q_r[i]] to
  // x[0, 3 * dim); the padding up to mlp().padded_in(0) is left untouched (zero).
  // With rating_implicit the user part is the float sum U_r[u] + z_u, z_u
  // being `implicit` (ImplicitSum(u), computed here when null).
  void RegressionInput(UserId u, ItemId i, float* x, const float* implicit = nullptr) const;

  // SVD++'s implicit term (rating_implicit): N(u) is the user's items in the
  // rows the model is fitted on (Model sets them: a Fit's training rows, a
  // loaded model's recorded ones). Unset, or for a user beyond them, N(u) is
  // empty. Shared, read-only, kept by copies of the net.
  void SetImplicitItems(std::shared_ptr<const UserItemSets> items);
  const std::shared_ptr<const UserItemSets>& implicit_items() const { return implicit_items_; }
  // z_u = |N(u)|^-1/2 sum_{j in N(u)} Y[j] into out[0, dim): the rows added in
  // float in N(u)'s (ascending) order, then each multiplied by the float
  // 1 / sqrt(|N(u)|); zeros for an empty N(u). REQUIRES: rating_implicit.
  void ImplicitSum(UserId u, float* out) const;

  // Factorisation scores p(u, i) for every item i (out.size() == num_items),
  // each bit-identical to what FactorizationScorer (evaluation) computes for
  // the pair: the same FMA chain over the dimensions, then the biases, so that
  // `recommend` and the ranking metrics of `evaluate` rank by the same values.
  void ScoreAllItems(UserId u, std::span<float> out) const;
  // The factorisation score of one pair, bit-identical to ScoreAllItems's.
  float Score(UserId u, ItemId i) const;

  // What the regression head adds to the MLP's output: the rating biases
  // C[u] + D[i] (rating_biases), then the dot product U_r[u] . Q_r[i]
  // (rating_dot; RatingDot); 0 with neither. Every path adds them in this order.
  // `user`: the head's user vector when the caller has it (x's first dim
  // floats, RegressionInput), read with rating_implicit.
  float RatingTerms(UserId u, ItemId i, const float* user = nullptr) const {
    float terms = 0.0f;
    if (roles_.rating_user_bias >= 0) {
      terms = *Row(roles_.rating_user_bias, u) + *Row(roles_.rating_item_bias, i);
    }
    if (config_.rating_dot) terms += RatingDot(u, i, user);
    return terms;
  }
  // U_r[u] . Q_r[i] (with rating_implicit, (U_r[u] + z_u) . Q_r[i], the user
  // vector `user` when given): one FMA chain over the dimensions in order.
  float RatingDot(UserId u, ItemId i, const float* user = nullptr) const;
  // Sets the MLP's output bias (the rating head's global offset).
  void SetRatingOffset(float value);

  // Regression predictions r(users[k], items[k]) for every k, spread over `pool`.
  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out, ThreadPool& pool) const;
  // Scratch that one thread reuses across PredictRatings calls on the calling
  // thread: once it has served a net of this shape, a call allocates nothing.
  struct PredictScratch {
    // `packed` holds the MLP weights `packed_from` (their bits) of a net whose
    // MLP has the layer widths `packed_shape`; packed again when they differ.
    std::vector<float> packed_from;
    std::vector<int> packed_shape;
    MlpPackedWeights packed;
    MlpWorkspace workspace;
    std::vector<float> input;  // [chunk x padded_in(0)], its padding zero
  };
  // The same on the calling thread, bit-identical to the pooled one (the same
  // chunks, each computed alike); for a few pairs, e.g. one user's top k.
  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out, PredictScratch& scratch) const;

 private:
  MultiTaskNet(const ModelConfig& config, bool with_params);

  ModelConfig config_;
  // The layout and roles of `config`, built into `layout` and `roles`.
  static void Build(const ModelConfig& config, const MlpShape& mlp, ParameterLayout& layout,
                    Roles& roles);

  ParameterLayout layout_;
  MlpShape mlp_;
  Roles roles_;
  LargeVector<float> params_;                           // on huge pages: rows are read at random
  std::shared_ptr<const UserItemSets> implicit_items_;  // N(u) (rating_implicit)

  // Row u of a user block . row i of an item block, both d wide: one FMA chain
  // over the dimensions in order (the factorisation score's and the rating dot's).
  float RowDot(int user_block, UserId u, int item_block, ItemId i, int d) const;
  // Ratings of pairs [begin, begin + count) of one chunk, count <= the chunk.
  void PredictChunk(std::span<const UserId> users, std::span<const ItemId> items,
                    std::span<float> out, int64_t begin, int count,
                    const MlpPackedWeights& packed, MlpWorkspace& ws, float* x) const;
  // Sizes `ws` and `x` for one chunk of this net's MLP, when they do not fit yet.
  void ReserveChunk(MlpWorkspace& ws, std::vector<float>& x) const;
};

}  // namespace mtrec
