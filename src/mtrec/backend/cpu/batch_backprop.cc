#include "mtrec/backend/cpu/batch_backprop.h"

#include <algorithm>
#include <cmath>

#include "mtrec/backend/cpu/owned_samples.h"
#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/core/vector_kernels.h"
#include "mtrec/loss/mse.h"

namespace mtrec {

BatchBackprop::BatchBackprop(const MultiTaskNet& net, const LossWeights& weights, int max_batch,
                             int num_threads, Communicator& comm)
    : comm_(comm),
      weights_(weights),
      dim_(net.embedding_dim()),
      rank_dim_(net.ranking_dim()),
      x_stride_(net.mlp().padded_in(0)),
      partial_size_(net.mlp().partial_size()) {
  MTREC_CHECK(max_batch > 0 && num_threads > 0);
  scratch_.resize(num_threads);
  for (ThreadScratch& t : scratch_) {
    t.mlp.Reserve(net.mlp(), kBlockSize);
    t.x.assign(static_cast<size_t>(kBlockSize) * x_stride_, 0.0f);
    t.dy.resize(kBlockSize);
  }
  const int blocks = (max_batch + kBlockSize - 1) / kBlockSize;
  mlp_partials_.resize(static_cast<size_t>(blocks) * partial_size_);
  const size_t rows = static_cast<size_t>(max_batch) * dim_;
  const size_t fact_rows = static_cast<size_t>(max_batch) * rank_dim_;
  grad_user_fact_.resize(fact_rows);
  grad_item_pos_.resize(fact_rows);
  grad_item_neg_.resize(fact_rows);
  if (!net.config().shared_embeddings) {
    grad_user_reg_.resize(rows);
    grad_item_reg_.resize(rows);
  }
  grad_pos_.resize(max_batch);
  bpr_values_.resize(max_batch);
  squared_errors_.resize(max_batch);
  grad_rating_.resize(max_batch);
  if (net.config().rating_implicit) {
    implicit_users_.reserve(max_batch);
    implicit_slot_.resize(max_batch);
    implicit_seen_.assign(net.config().num_users, -1);
    implicit_z_.resize(rows);
    implicit_grad_.resize(rows);
  }
  if (comm_.size() > 1) {
    exchange_.resize(static_cast<size_t>(blocks) * partial_size_ +
                     static_cast<size_t>(max_batch) * ExchangeFloatsPerSample());
  }
}

BatchLosses BatchBackprop::Run(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
                               ThreadPool& pool, const CompactRowGradients* compact,
                               const FusedRowUpdate* fused) {
  const int n = static_cast<int>(batch.size());
  MTREC_CHECK(grads.size() == net.params().size());
  const int blocks = (n + kBlockSize - 1) / kBlockSize;
  ComputeBlocks(net, batch, RangeOfRank(blocks, comm_.rank(), comm_.size()), pool);
  if (comm_.size() > 1) ExchangeBlocks(n);
  const BatchLosses losses = SumBlocks(net, n, grads.data() + net.roles().mlp_offset, pool);
  // A diverged step's gradient is not applied: the fused scatter is skipped.
  if (fused == nullptr || std::isfinite(losses.joint)) {
    Scatter(net, batch, grads, compact, pool, fused);
  }
  if (net.config().rating_implicit && weights_.regression != 0) {
    MTREC_CHECK(compact == nullptr && fused == nullptr);  // the dense optimizer only
    ScatterImplicit(net, batch, grads, pool);
  }
  return losses;
}

void BatchBackprop::ComputeBlocks(const MultiTaskNet& net, const Batch& batch, RankRange blocks,
                                  ThreadPool& pool) {
  const int n = static_cast<int>(batch.size());
  MTREC_CHECK(n > 0 && static_cast<size_t>(n) <= grad_pos_.size());
  MTREC_CHECK(pool.num_threads() <= static_cast<int>(scratch_.size()));
  inv_batch_ = 1.0f / static_cast<float>(n);
  // The MLP's weights are read only when the regression head is on.
  if (weights_.regression != 0) {
    packed_.Pack(net.mlp(), net.params().data() + net.roles().mlp_offset);
    if (net.config().rating_implicit) PrepareImplicit(net, batch, pool);
  }
  pool.Run(static_cast<int>(blocks.end - blocks.begin), [&](int k, int thread) {
    RunBlock(net, batch, static_cast<int>(blocks.begin) + k, scratch_[thread]);
  });
}

void BatchBackprop::PrepareImplicit(const MultiTaskNet& net, const Batch& batch, ThreadPool& pool) {
  implicit_users_.clear();
  for (size_t s = 0; s < batch.size(); ++s) {
    int32_t& slot = implicit_seen_[batch.users[s]];
    if (slot < 0) {
      slot = static_cast<int32_t>(implicit_users_.size());
      implicit_users_.push_back(batch.users[s]);
    }
    implicit_slot_[s] = slot;
  }
  for (const int32_t u : implicit_users_) implicit_seen_[u] = -1;
  const int d = dim_;
  pool.ParallelFor(std::ssize(implicit_users_), [&](int64_t begin, int64_t end, int) {
    for (int64_t k = begin; k < end; ++k) net.ImplicitSum(implicit_users_[k], &implicit_z_[k * d]);
  });
}

void BatchBackprop::ScatterImplicit(const MultiTaskNet& net, const Batch& batch,
                                    std::span<float> grads, ThreadPool& pool) {
  const int d = dim_;
  const int64_t users = std::ssize(implicit_users_);
  // dJ/dz_u is the sum of the user's U_r row gradients (U_r[u] + z_u is what
  // the head reads), summed in sample order.
  float* g = implicit_grad_.data();
  std::fill(g, g + users * d, 0.0f);
  for (size_t s = 0; s < batch.size(); ++s) {
    AddTo(grad_user_reg_.data() + s * d, g + int64_t{implicit_slot_[s]} * d, d);
  }
  const UserItemSets* sets = net.implicit_items().get();
  if (sets == nullptr) return;
  float* grad_y = grads.data() + net.layout().block(net.roles().implicit_item).offset;
  // Each part owns a contiguous range of Y's rows and adds to them user by
  // user, in first-sight order: every row sums its terms in the same order
  // whatever the number of parts.
  const int parts = pool.num_threads();
  const int64_t items_per_part = (net.config().num_items + parts - 1) / parts;
  pool.Run(parts, [&](int part, int) {
    const int64_t lo = part * items_per_part, hi = lo + items_per_part;
    for (int64_t k = 0; k < users; ++k) {
      const UserId u = implicit_users_[k];
      if (u >= sets->num_users()) continue;
      const std::span<const ItemId> items = sets->Of(u);
      if (items.empty()) continue;
      const float scale = 1.0f / std::sqrt(static_cast<float>(items.size()));  // ImplicitSum's
      const float* gu = g + k * d;
      const auto first = std::lower_bound(items.begin(), items.end(), lo);
      const auto last = std::lower_bound(first, items.end(), hi);
      for (auto j = first; j != last; ++j) {
        float* row = grad_y + int64_t{*j} * d;
        for (int c = 0; c < d; ++c) row[c] += scale * gu[c];
      }
    }
  });
}

BatchLosses BatchBackprop::SumBlocks(const MultiTaskNet& net, int n, float* mlp_grads,
                                     ThreadPool& pool) {
  const int blocks = (n + kBlockSize - 1) / kBlockSize;
  // MLP gradient: the block partials summed in block order into block 0's.
  // (None when the regression head is off: its gradient is zero.)
  if (weights_.regression != 0) {
    float* partials = mlp_partials_.data();
    const int64_t partial_size = partial_size_;
    pool.ParallelFor(partial_size, [=](int64_t begin, int64_t end, int) {
      for (int b = 1; b < blocks; ++b)
        AddTo(partials + b * partial_size + begin, partials + begin, end - begin);
    });
    MlpAddPartial(net.mlp(), partials, mlp_grads);
  }
  double bpr_sum = 0, se_sum = 0;
  for (int s = 0; s < n; ++s) {
    bpr_sum += bpr_values_[s];
    se_sum += squared_errors_[s];
  }
  BatchLosses losses;
  losses.factorization = static_cast<float>(bpr_sum / n);
  losses.regression = static_cast<float>(se_sum / n);
  losses.joint = static_cast<float>(weights_.factorization * losses.factorization +
                                    weights_.regression * losses.regression);
  return losses;
}

BatchBackprop::Outputs BatchBackprop::outputs() {
  return {grad_user_fact_.data(), grad_item_pos_.data(), grad_item_neg_.data(),
          grad_user_reg_.data(),  grad_item_reg_.data(), grad_pos_.data(),
          grad_rating_.data(),    bpr_values_.data(),    squared_errors_.data(),
          mlp_partials_.data(),   partial_size_};
}

void BatchBackprop::ExchangeBlocks(int n) {
  // Rank r's part: its blocks' MLP partials, then its samples' rows of each
  // per-sample array (all contiguous, as its blocks are).
  const int blocks = (n + kBlockSize - 1) / kBlockSize;
  const int size = comm_.size();
  std::vector<float>* const rows[] = {&grad_user_fact_, &grad_item_pos_, &grad_item_neg_,
                                      &grad_user_reg_, &grad_item_reg_};
  std::vector<float>* const values[] = {&grad_pos_, &bpr_values_, &squared_errors_, &grad_rating_};
  const int num_rows = grad_user_reg_.empty() ? 3 : 5;
  const int widths[] = {rank_dim_, rank_dim_, rank_dim_, dim_, dim_};
  std::vector<int> counts(size), offsets(size);
  std::vector<RankRange> block_range(size), sample_range(size);
  int offset = 0;
  for (int r = 0; r < size; ++r) {
    block_range[r] = RangeOfRank(blocks, r, size);
    sample_range[r] = {std::min<int64_t>(block_range[r].begin * kBlockSize, n),
                       std::min<int64_t>(block_range[r].end * kBlockSize, n)};
    const int64_t samples = sample_range[r].end - sample_range[r].begin;
    counts[r] = static_cast<int>((block_range[r].end - block_range[r].begin) * partial_size_ +
                                 samples * ExchangeFloatsPerSample());
    offsets[r] = offset;
    offset += counts[r];
  }
  // Copies rank r's part between the arrays and the exchange buffer.
  const auto copy_part = [&](int r, bool pack) {
    float* at = exchange_.data() + offsets[r];
    const auto move = [&](float* array, int64_t begin, int64_t count) {
      if (pack) {
        std::copy(array + begin, array + begin + count, at);
      } else {
        std::copy(at, at + count, array + begin);
      }
      at += count;
    };
    const RankRange b = block_range[r], s = sample_range[r];
    move(mlp_partials_.data(), b.begin * partial_size_, (b.end - b.begin) * partial_size_);
    for (int k = 0; k < num_rows; ++k)
      move(rows[k]->data(), s.begin * widths[k], (s.end - s.begin) * widths[k]);
    for (std::vector<float>* v : values) move(v->data(), s.begin, s.end - s.begin);
  };
  copy_part(comm_.rank(), /*pack=*/true);
  comm_.AllGatherInPlace(exchange_, counts, offsets);
  for (int r = 0; r < size; ++r) {
    if (r != comm_.rank()) copy_part(r, /*pack=*/false);
  }
}

namespace {

// How many samples ahead the embedding rows are prefetched.
constexpr int kPrefetchAhead = 6;

// The per-sample row gradients, written with restrict pointers so they vectorise.
//   dU_f[u] = dpos Q_f[i] + dneg Q_f[j];  dQ_f[i] = dpos U_f[u];  dQ_f[j] = dneg U_f[u]
inline void FactorizationRowGrads(float dpos, const float* __restrict u, const float* __restrict qi,
                                  const float* __restrict qj, float* __restrict gu,
                                  float* __restrict gqi, float* __restrict gqj, int d) {
  const float dneg = -dpos;
#pragma omp simd
  for (int k = 0; k < d; ++k) {
    gu[k] = dpos * qi[k] + dneg * qj[k];
    gqi[k] = dpos * u[k];
    gqj[k] = dneg * u[k];
  }
}

// With x = [u_r, q_r, u_r * q_r] and dx = dJ/dx:
//   dU_r[u] = dx_u + dx_uq * q_r;  dQ_r[i] = dx_q + dx_uq * u_r
// kAdd adds to gu/gq (shared tables: the factorisation rows are already there).
// With the rating L2 penalty, c = 2 wR rating_l2 / n more: + c u_r and + c q_r.
template <bool kAdd, bool kPenalty>
inline void RegressionRowGrads(const float* __restrict dx, const float* __restrict x, float c,
                               float* __restrict gu, float* __restrict gq, int d) {
#pragma omp simd
  for (int k = 0; k < d; ++k) {
    float du = dx[k] + dx[2 * d + k] * x[d + k];
    float dq = dx[d + k] + dx[2 * d + k] * x[k];
    if (kPenalty) {
      du += c * x[k];
      dq += c * x[d + k];
    }
    gu[k] = kAdd ? gu[k] + du : du;
    gq[k] = kAdd ? gq[k] + dq : dq;
  }
}

// p(u, i) - p(u, j) without the biases: both dot products in one pass over u.
inline float DotDifference(const float* __restrict u, const float* __restrict qi,
                           const float* __restrict qj, int d, float* neg_dot) {
  float pos = 0, neg = 0;
#pragma omp simd reduction(+ : pos, neg)
  for (int k = 0; k < d; ++k) {
    pos += u[k] * qi[k];
    neg += u[k] * qj[k];
  }
  *neg_dot = neg;
  return pos;
}

}  // namespace

void BatchBackprop::RunBlock(const MultiTaskNet& net, const Batch& batch, int block,
                             ThreadScratch& scratch) {
  const MultiTaskNet::Roles& roles = net.roles();
  const int d = dim_, rd = rank_dim_;
  const int begin = block * kBlockSize;
  const int count = std::min<int>(kBlockSize, static_cast<int>(batch.size()) - begin);
  const auto w_fact = static_cast<float>(weights_.factorization) * inv_batch_;
  const auto w_reg = static_cast<float>(weights_.regression) * inv_batch_;
  const float* user_fact = net.Row(roles.u_fact, 0);
  const float* item_fact = net.Row(roles.q_fact, 0);
  const float* item_bias = net.Row(roles.item_bias, 0);
  // A head whose loss has weight 0 is not computed at all: its gradient is
  // zero, and its loss is reported as 0.
  const bool ranking = weights_.factorization != 0;
  const bool rating = weights_.regression != 0;

  // Regression head forward on x = [u_r, q_r, u_r * q_r]. The rows every later
  // phase reads are prefetched a few samples ahead.
  float* x = scratch.x.data();
  const float* user_reg = net.Row(roles.u_reg, 0);
  const float* item_reg = net.Row(roles.q_reg, 0);
  const bool implicit = net.config().rating_implicit;
  for (int s = 0; s < count; ++s) {
    if (s + kPrefetchAhead < count) {
      const int a = begin + s + kPrefetchAhead;
      if (rating) {
        PrefetchRow(user_reg + int64_t{batch.users[a]} * d, d);
        PrefetchRow(item_reg + int64_t{batch.items[a]} * d, d);
      }
      PrefetchRow(item_fact + int64_t{batch.negatives[a]} * rd, rd);
      __builtin_prefetch(item_bias + batch.items[a]);
      __builtin_prefetch(item_bias + batch.negatives[a]);
      if (user_reg != user_fact || !rating) {
        PrefetchRow(user_fact + int64_t{batch.users[a]} * rd, rd);
        PrefetchRow(item_fact + int64_t{batch.items[a]} * rd, rd);
      }
    }
    if (rating) {
      const int gs = begin + s;
      net.RegressionInput(batch.users[gs], batch.items[gs], x + static_cast<int64_t>(s) * x_stride_,
                          implicit ? &implicit_z_[int64_t{implicit_slot_[gs]} * d] : nullptr);
    }
  }
  if (rating) MlpForward(net.mlp(), packed_, x, count, scratch.mlp);
  const float* y = scratch.mlp.acts.back().data();

  // Losses and their derivatives with respect to each head's output:
  //   dJ/dy   = wR / n * 2 (y - r)
  //   dJ/dpos = wF / n * bpr'(pos - neg),  dJ/dneg = -dJ/dpos
  // A user bias A[u] would appear in both pos and neg and cancel: it is left out.
  for (int s = 0; s < count; ++s) {
    const int gs = begin + s;
    if (rating) {
      const float r = y[s] + net.RatingTerms(batch.users[gs], batch.items[gs],
                                             x + static_cast<int64_t>(s) * x_stride_);
      const LossAndGrad se = SquaredErrorAndGrad(r, batch.ratings[gs]);
      squared_errors_[gs] = se.value;
      scratch.dy[s] = w_reg * se.grad;
      grad_rating_[gs] = scratch.dy[s];
    } else {
      squared_errors_[gs] = 0;
    }
    if (!ranking) {
      bpr_values_[gs] = 0;
      grad_pos_[gs] = 0;
      continue;
    }
    const ItemId i = batch.items[gs], j = batch.negatives[gs];
    float neg;
    const float pos =
        DotDifference(user_fact + int64_t{batch.users[gs]} * rd, item_fact + int64_t{i} * rd,
                      item_fact + int64_t{j} * rd, rd, &neg);
    const LossAndGrad bpr =
        BprLossAndGrad(weights_.bpr, (pos + item_bias[i]) - (neg + item_bias[j]));
    bpr_values_[gs] = bpr.value;
    grad_pos_[gs] = w_fact * bpr.grad;
  }

  // Regression head backward: MLP parameters into this block's partial, dJ/dx out.
  float* partial = mlp_partials_.data() + static_cast<int64_t>(block) * partial_size_;
  if (rating) MlpBackward(net.mlp(), packed_, x, count, scratch.dy.data(), partial, scratch.mlp);
  float* dx = scratch.mlp.grad_input.data();
  // The rating dot U_r[u] . Q_r[i] is the sum of x's product part, so its
  // gradient is dJ/dy on each of those inputs, beside the MLP's.
  if (rating && net.config().rating_dot) {
    for (int s = 0; s < count; ++s) {
      float* dx_uq = dx + static_cast<int64_t>(s) * x_stride_ + 2 * d;
      for (int k = 0; k < d; ++k) dx_uq[k] += scratch.dy[s];
    }
  }

  // Per-sample embedding row gradients; with shared tables the two heads' row
  // gradients are summed before the scatter.
  const bool shared = net.config().shared_embeddings;
  const float penalty = 2.0f * static_cast<float>(weights_.rating_l2) * w_reg;
  for (int s = 0; s < count; ++s) {
    const int gs = begin + s;
    const int64_t row = static_cast<int64_t>(gs) * d, fact_row = static_cast<int64_t>(gs) * rd;
    float* gu = grad_user_fact_.data() + fact_row;
    float* gqi = grad_item_pos_.data() + fact_row;
    if (ranking) {
      FactorizationRowGrads(grad_pos_[gs], user_fact + int64_t{batch.users[gs]} * rd,
                            item_fact + int64_t{batch.items[gs]} * rd,
                            item_fact + int64_t{batch.negatives[gs]} * rd, gu, gqi,
                            grad_item_neg_.data() + fact_row, rd);
    }
    if (!rating) continue;
    const float* dxs = dx + static_cast<int64_t>(s) * x_stride_;
    const float* xs = x + static_cast<int64_t>(s) * x_stride_;
    float* gu_reg = shared ? gu : grad_user_reg_.data() + row;
    float* gq_reg = shared ? gqi : grad_item_reg_.data() + row;
    if (penalty != 0) {
      if (shared && ranking) {
        RegressionRowGrads<true, true>(dxs, xs, penalty, gu_reg, gq_reg, d);
      } else {
        RegressionRowGrads<false, true>(dxs, xs, penalty, gu_reg, gq_reg, d);
      }
    } else if (shared && ranking) {
      RegressionRowGrads<true, false>(dxs, xs, 0, gu_reg, gq_reg, d);
    } else {
      RegressionRowGrads<false, false>(dxs, xs, 0, gu_reg, gq_reg, d);
    }
  }
}

void BatchBackprop::Scatter(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
                            const CompactRowGradients* compact, ThreadPool& pool,
                            const FusedRowUpdate* fused) {
  // The flat buffer is the compact layout with every row at its own index.
  const MultiTaskNet::Roles& roles = net.roles();
  const auto table = [&](int block) {
    return block >= 0 ? grads.data() + net.layout().block(block).offset : nullptr;
  };
  const CompactRowGradients flat{table(roles.u_fact),          table(roles.q_fact),
                                 table(roles.item_bias),       table(roles.u_reg),
                                 table(roles.q_reg),           table(roles.rating_user_bias),
                                 table(roles.rating_item_bias)};
  const int d = dim_, rd = rank_dim_;
  const bool separate = !net.config().shared_embeddings;
  const bool has_rating_biases = roles.rating_user_bias >= 0;
  // Rows a head whose weight is 0 did not write are left out (RunBlock).
  const bool ranking = weights_.factorization != 0;
  const bool fact_rows = ranking || !separate;  // shared rows also carry the rating head's
  const bool reg_rows = separate && weights_.regression != 0;
  const bool rating_biases = has_rating_biases && weights_.regression != 0;
  // A fused scatter lists every row BatchRows would (a table's rows get an
  // update even when its head is off), as that is what a sparse optimizer updates.
  const bool list_positives = fused != nullptr && (separate || has_rating_biases);
  // Each part owns a contiguous range of user rows and of item rows and adds,
  // in sample order, the row gradients that land there. Every row thus sums
  // its terms in the same order whatever the number of parts.
  const int parts = pool.num_threads();
  const int64_t users_per_part = (net.config().num_users + parts - 1) / parts;
  const int64_t items_per_part = (net.config().num_items + parts - 1) / parts;
  if (part_samples_.size() < static_cast<size_t>(parts)) part_samples_.resize(parts);
  if (fused != nullptr) PrepareFusedParts(net, parts, static_cast<int>(grad_pos_.size()));
  pool.Run(parts, [&](int part, int) {
    const int64_t u_lo = part * users_per_part, u_hi = u_lo + users_per_part;
    const int64_t i_lo = part * items_per_part, i_hi = i_lo + items_per_part;
    OwnedSamples& mine = part_samples_[part];
    mine.List(batch, {u_lo, u_hi}, {i_lo, i_hi}, /*with_negatives=*/ranking || fused != nullptr);
    // Where row r's gradient goes: its slot in the batch's list (compact), r
    // itself (flat), or its slot in this part's list, listed on first sight (fused).
    CompactRowGradients to = compact != nullptr ? *compact : flat;
    FusedPart* f = fused != nullptr ? &fused_parts_[part] : nullptr;
    if (f != nullptr) {
      to = {f->user_fact.data(),        f->item_fact.data(),       f->item_bias.data(),
            f->user_reg.data(),         f->item_reg.data(),        f->rating_user_bias.data(),
            f->rating_item_bias.data()};
    }
    const auto slot = [f](const int32_t* slots, std::vector<int32_t>* fused_slots,
                          std::vector<int32_t> FusedPart::*list, int64_t r) -> int64_t {
      if (f == nullptr) return slots != nullptr ? slots[r] : r;
      int32_t& s = (*fused_slots)[r];
      if (s < 0) {
        s = static_cast<int32_t>((f->*list).size());
        (f->*list).push_back(static_cast<int32_t>(r));
      }
      return s;
    };
    const bool prefetch = compact == nullptr && f == nullptr;  // compact buffers are hot
    for (int64_t k = 0; k < mine.num_users; ++k) {
      const int64_t s = mine.users[k], off = s * d, u = batch.users[s];
      if (prefetch && k + kPrefetchAhead < mine.num_users) {
        PrefetchRow(to.user_fact + int64_t{batch.users[mine.users[k + kPrefetchAhead]]} * rd, rd);
      }
      const int64_t us = slot(to.user_slot, &user_slot_, &FusedPart::users, u);
      if (fact_rows) AddTo(grad_user_fact_.data() + s * rd, to.user_fact + us * rd, rd);
      if (reg_rows) AddTo(grad_user_reg_.data() + off, to.user_reg + us * d, d);
      if (rating_biases) to.rating_user_bias[us] += grad_rating_[s];
      // A[u] receives dpos + dneg = 0 exactly: nothing to add.
    }
    // The item rows of the factorisation table (the positive's and the
    // negative's, in sample order) and the item biases (ranking implies fact_rows).
    if (fact_rows || f != nullptr) {
      for (int64_t k = 0; k < mine.num_items; ++k) {
        const int64_t s = mine.items[k] >> 1, off = s * rd;
        const bool negative = (mine.items[k] & 1) != 0;
        const int64_t row = OwnedSamples::ItemRow(batch, mine.items[k]);
        if (prefetch && k + kPrefetchAhead < mine.num_items) {
          PrefetchRow(
              to.item_fact + OwnedSamples::ItemRow(batch, mine.items[k + kPrefetchAhead]) * rd, rd);
        }
        const int64_t is = slot(to.item_slot, &item_slot_, &FusedPart::items, row);
        if (!fact_rows) continue;
        AddTo((negative ? grad_item_neg_ : grad_item_pos_).data() + off, to.item_fact + is * rd, rd);
        if (ranking) to.item_bias[is] += negative ? -grad_pos_[s] : grad_pos_[s];
      }
    }
    // The rating head's own item rows and biases: positives only.
    if (reg_rows || rating_biases || list_positives) {
      for (int64_t k = 0; k < mine.num_positives; ++k) {
        const int64_t s = mine.positives[k];
        const int64_t rs =
            slot(to.reg_item_slot, &positive_slot_, &FusedPart::positives, batch.items[s]);
        if (reg_rows) AddTo(grad_item_reg_.data() + s * d, to.item_reg + rs * d, d);
        if (rating_biases) to.rating_item_bias[rs] += grad_rating_[s];
      }
    }
    if (f != nullptr) FinishFusedPart(net, *f, *fused, part, parts);
  });
}

void BatchBackprop::PrepareFusedParts(const MultiTaskNet& net, int parts, int max_batch) {
  if (fused_parts_.size() >= static_cast<size_t>(parts)) return;
  const ModelConfig& c = net.config();
  user_slot_.assign(c.num_users, -1);
  item_slot_.assign(c.num_items, -1);
  positive_slot_.assign(c.num_items, -1);
  fused_parts_.resize(parts);
  const size_t n = static_cast<size_t>(max_batch), d = static_cast<size_t>(dim_);
  const size_t rd = static_cast<size_t>(rank_dim_);
  for (FusedPart& f : fused_parts_) {
    f.user_fact.assign(n * rd, 0.0f);
    f.user_reg.assign(n * d, 0.0f);
    f.item_fact.assign(2 * n * rd, 0.0f);
    f.item_bias.assign(2 * n, 0.0f);
    f.item_reg.assign(n * d, 0.0f);
    f.rating_user_bias.assign(n, 0.0f);
    f.rating_item_bias.assign(n, 0.0f);
  }
}

void BatchBackprop::FinishFusedPart(const MultiTaskNet& net, FusedPart& f,
                                    const FusedRowUpdate& update, int part, int parts) {
  // The tables BatchRows lists, each with its rows' list (the user bias A
  // gets no gradient and is never listed).
  const MultiTaskNet::Roles& roles = net.roles();
  update.rows(roles.u_fact, f.users, f.user_fact.data());
  update.rows(roles.q_fact, f.items, f.item_fact.data());
  update.rows(roles.item_bias, f.items, f.item_bias.data());
  if (!net.config().shared_embeddings) {
    update.rows(roles.u_reg, f.users, f.user_reg.data());
    update.rows(roles.q_reg, f.positives, f.item_reg.data());
  }
  if (roles.rating_user_bias >= 0) {
    update.rows(roles.rating_user_bias, f.users, f.rating_user_bias.data());
    update.rows(roles.rating_item_bias, f.positives, f.rating_item_bias.data());
  }
  for (int32_t r : f.users) user_slot_[r] = -1;
  for (int32_t r : f.items) item_slot_[r] = -1;
  for (int32_t r : f.positives) positive_slot_[r] = -1;
  f.users.clear();
  f.items.clear();
  f.positives.clear();
  update.part_done(part, parts);
}

}  // namespace mtrec
