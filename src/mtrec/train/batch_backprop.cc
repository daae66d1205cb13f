#include "mtrec/train/batch_backprop.h"

#include <algorithm>
#include <cstring>

#include "mtrec/core/check.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/loss/mse.h"
#include "mtrec/model/kernels.h"

namespace mtrec {

BatchBackprop::BatchBackprop(const MultiTaskNet& net, const LossWeights& weights, int max_batch,
                             int num_threads)
    : weights_(weights), dim_(net.embedding_dim()), mlp_size_(net.mlp().num_params()) {
  MTREC_CHECK(max_batch > 0 && num_threads > 0);
  scratch_.resize(num_threads);
  for (ThreadScratch& t : scratch_) {
    t.mlp.Reserve(net.mlp(), kBlockSize);
    t.x.resize(static_cast<size_t>(kBlockSize) * 3 * dim_);
    t.dy.resize(kBlockSize);
  }
  const int blocks = (max_batch + kBlockSize - 1) / kBlockSize;
  mlp_partials_.resize(static_cast<size_t>(blocks) * mlp_size_);
  const size_t rows = static_cast<size_t>(max_batch) * dim_;
  grad_user_fact_.resize(rows);
  grad_item_pos_.resize(rows);
  grad_item_neg_.resize(rows);
  if (!net.config().shared_embeddings) {
    grad_user_reg_.resize(rows);
    grad_item_reg_.resize(rows);
  }
  grad_pos_.resize(max_batch);
  bpr_values_.resize(max_batch);
  squared_errors_.resize(max_batch);
}

BatchLosses BatchBackprop::Run(const MultiTaskNet& net, const Batch& batch, std::span<float> grads,
                               ThreadPool& pool) {
  const int n = static_cast<int>(batch.size());
  MTREC_CHECK(n > 0 && static_cast<size_t>(n) <= grad_pos_.size());
  MTREC_CHECK(pool.num_threads() <= static_cast<int>(scratch_.size()));
  MTREC_CHECK(grads.size() == net.params().size());
  inv_batch_ = 1.0f / static_cast<float>(n);
  const int blocks = (n + kBlockSize - 1) / kBlockSize;
  pool.Run(blocks, [&](int block, int thread) { RunBlock(net, batch, block, scratch_[thread]); });

  // MLP gradient: the block partials summed in block order.
  float* mlp_grads = grads.data() + net.roles().mlp_offset;
  const float* partials = mlp_partials_.data();
  const int64_t mlp_size = mlp_size_;
  pool.ParallelFor(mlp_size, [=](int64_t begin, int64_t end, int) {
    for (int b = 0; b < blocks; ++b) AddTo(partials + b * mlp_size + begin, mlp_grads + begin, end - begin);
  });
  Scatter(net, batch, grads);

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

void BatchBackprop::RunBlock(const MultiTaskNet& net, const Batch& batch, int block,
                             ThreadScratch& scratch) {
  const MultiTaskNet::Roles& roles = net.roles();
  const int d = dim_;
  const int begin = block * kBlockSize;
  const int count = std::min<int>(kBlockSize, static_cast<int>(batch.size()) - begin);
  const bool shared = net.config().shared_embeddings;
  const float* mlp_params = net.params().data() + roles.mlp_offset;
  const auto w_fact = static_cast<float>(weights_.factorization) * inv_batch_;
  const auto w_reg = static_cast<float>(weights_.regression) * inv_batch_;

  // Regression head forward on x = [u_r, q_r, u_r * q_r].
  float* x = scratch.x.data();
  for (int s = 0; s < count; ++s) {
    const float* u = net.Row(roles.u_reg, batch.users[begin + s]);
    const float* q = net.Row(roles.q_reg, batch.items[begin + s]);
    float* xs = x + static_cast<int64_t>(s) * 3 * d;
    std::copy(u, u + d, xs);
    std::copy(q, q + d, xs + d);
    Mul(u, q, xs + 2 * d, d);
  }
  MlpForward(net.mlp(), mlp_params, x, count, scratch.mlp);
  const float* y = scratch.mlp.acts.back().data();

  // Losses and their derivatives with respect to each head's output:
  //   dJ/dy   = wR / n * 2 (y - r)
  //   dJ/dpos = wF / n * bpr'(pos - neg),  dJ/dneg = -dJ/dpos
  // A user bias A[u] would appear in both pos and neg and cancel: it is left out.
  for (int s = 0; s < count; ++s) {
    const int gs = begin + s;
    const LossAndGrad se = SquaredErrorAndGrad(y[s], batch.ratings[gs]);
    squared_errors_[gs] = se.value;
    scratch.dy[s] = w_reg * se.grad;
    const float* uf = net.Row(roles.u_fact, batch.users[gs]);
    const ItemId i = batch.items[gs], j = batch.negatives[gs];
    const float pos = Dot(uf, net.Row(roles.q_fact, i), d) + *net.Row(roles.item_bias, i);
    const float neg = Dot(uf, net.Row(roles.q_fact, j), d) + *net.Row(roles.item_bias, j);
    const LossAndGrad bpr = BprLossAndGrad(weights_.bpr, pos - neg);
    bpr_values_[gs] = bpr.value;
    grad_pos_[gs] = w_fact * bpr.grad;
  }

  // Regression head backward: MLP parameters into this block's partial, dJ/dx out.
  float* partial = mlp_partials_.data() + static_cast<int64_t>(block) * mlp_size_;
  std::memset(partial, 0, sizeof(float) * mlp_size_);
  MlpBackward(net.mlp(), mlp_params, x, count, scratch.dy.data(), partial, scratch.mlp);
  const float* dx = scratch.mlp.grad_input.data();

  // Per-sample embedding gradients:
  //   dU_f[u] = dpos Q_f[i] + dneg Q_f[j];  dQ_f[i] = dpos U_f[u];  dQ_f[j] = dneg U_f[u]
  //   dU_r[u] = dx_u + dx_uq * Q_r[i];      dQ_r[i] = dx_q + dx_uq * U_r[u]
  // With shared tables the two heads' row gradients are summed before the scatter.
  for (int s = 0; s < count; ++s) {
    const int gs = begin + s;
    const int64_t row = static_cast<int64_t>(gs) * d;
    const float dpos = grad_pos_[gs], dneg = -dpos;
    const float* uf = net.Row(roles.u_fact, batch.users[gs]);
    const float* qi = net.Row(roles.q_fact, batch.items[gs]);
    const float* qj = net.Row(roles.q_fact, batch.negatives[gs]);
    float* gu = grad_user_fact_.data() + row;
    float* gqi = grad_item_pos_.data() + row;
    float* gqj = grad_item_neg_.data() + row;
    for (int k = 0; k < d; ++k) {
      gu[k] = dpos * qi[k] + dneg * qj[k];
      gqi[k] = dpos * uf[k];
      gqj[k] = dneg * uf[k];
    }
    const float* dxs = dx + static_cast<int64_t>(s) * 3 * d;
    const float* xs = x + static_cast<int64_t>(s) * 3 * d;  // [u_r, q_r, u_r*q_r]
    float* gur = shared ? gu : grad_user_reg_.data() + row;
    float* gqr = shared ? gqi : grad_item_reg_.data() + row;
    for (int k = 0; k < d; ++k) {
      const float ur = dxs[k] + dxs[2 * d + k] * xs[d + k];
      const float qr = dxs[d + k] + dxs[2 * d + k] * xs[k];
      gur[k] = shared ? gur[k] + ur : ur;
      gqr[k] = shared ? gqr[k] + qr : qr;
    }
  }
}

void BatchBackprop::Scatter(const MultiTaskNet& net, const Batch& batch,
                            std::span<float> grads) const {
  const MultiTaskNet::Roles& roles = net.roles();
  const ParameterLayout& layout = net.layout();
  const int d = dim_;
  auto row = [&](int block, int64_t r) {
    return grads.data() + layout.block(block).offset + r * layout.block(block).cols;
  };
  const bool separate = !net.config().shared_embeddings;
  for (size_t s = 0; s < batch.size(); ++s) {
    const UserId u = batch.users[s];
    const ItemId i = batch.items[s], j = batch.negatives[s];
    const int64_t off = static_cast<int64_t>(s) * d;
    AddTo(grad_user_fact_.data() + off, row(roles.u_fact, u), d);
    AddTo(grad_item_pos_.data() + off, row(roles.q_fact, i), d);
    AddTo(grad_item_neg_.data() + off, row(roles.q_fact, j), d);
    if (separate) {
      AddTo(grad_user_reg_.data() + off, row(roles.u_reg, u), d);
      AddTo(grad_item_reg_.data() + off, row(roles.q_reg, i), d);
    }
    *row(roles.item_bias, i) += grad_pos_[s];
    *row(roles.item_bias, j) -= grad_pos_[s];
    // A[u] receives dpos + dneg = 0 exactly: nothing to add.
  }
}

}  // namespace mtrec
