// Finite-difference check of the whole training gradient: BatchBackprop's
// float gradient of the joint loss against central differences of an
// independent double-precision implementation of the original's loss.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {
namespace {

struct Case {
  bool shared;
  bool user_bias;
  BprLoss bpr;
  std::vector<int> hidden;
  int batch_size = 6;  // above BatchBackprop::kBlockSize the block partials are summed
};

// The joint loss of the original, in double, written from the spec.
double ReferenceJoint(const MultiTaskNet& net, const std::vector<double>& p, const Batch& b,
                      const LossWeights& w) {
  const auto& roles = net.roles();
  const auto& layout = net.layout();
  const int d = net.embedding_dim();
  auto row = [&](int block, int64_t r) {
    return &p[layout.block(block).offset + r * layout.block(block).cols];
  };
  const MlpShape& mlp = net.mlp();
  double bpr_sum = 0, se_sum = 0;
  for (size_t s = 0; s < b.size(); ++s) {
    const UserId u = b.users[s];
    const ItemId i = b.items[s], j = b.negatives[s];
    double pos = *row(roles.item_bias, i), neg = *row(roles.item_bias, j);
    for (int64_t k = 0; k < layout.block(roles.u_fact).cols; ++k) {  // the ranking width
      pos += row(roles.u_fact, u)[k] * row(roles.q_fact, i)[k];
      neg += row(roles.u_fact, u)[k] * row(roles.q_fact, j)[k];
    }
    if (roles.user_bias >= 0) {
      pos += *row(roles.user_bias, u);
      neg += *row(roles.user_bias, u);
    }
    const double x = pos - neg;
    bpr_sum +=
        w.bpr == BprLoss::kSigmoid ? 1.0 - 1.0 / (1.0 + std::exp(-x)) : std::log1p(std::exp(-x));
    std::vector<double> in(3 * d);
    for (int k = 0; k < d; ++k) {
      in[k] = row(roles.u_reg, u)[k];
      in[d + k] = row(roles.q_reg, i)[k];
      in[2 * d + k] = in[k] * in[d + k];
    }
    for (int l = 0; l < mlp.num_layers(); ++l) {
      std::vector<double> out(mlp.out(l));
      const double* wt = &p[roles.mlp_offset + mlp.weight_offset(l)];
      const double* bias = &p[roles.mlp_offset + mlp.bias_offset(l)];
      for (int o = 0; o < mlp.out(l); ++o) {
        double v = bias[o];
        for (int k = 0; k < mlp.in(l); ++k) v += wt[o * mlp.in(l) + k] * in[k];
        out[o] = l + 1 < mlp.num_layers() ? std::max(v, 0.0) : v;
      }
      in = std::move(out);
    }
    se_sum += (b.ratings[s] - in[0]) * (b.ratings[s] - in[0]);
  }
  const double n = static_cast<double>(b.size());
  return w.factorization * bpr_sum / n + w.regression * se_sum / n;
}

class BatchGradcheck : public ::testing::TestWithParam<Case> {};

TEST_P(BatchGradcheck, GradientMatchesCentralDifferences) {
  const Case c = GetParam();
  ModelConfig mc;
  mc.num_users = 5;
  mc.num_items = 7;
  mc.embedding_dim = 3;
  mc.hidden_layers = c.hidden;
  mc.shared_embeddings = c.shared;
  mc.user_bias = c.user_bias;
  MultiTaskNet net(mc);
  net.InitRandom(3);
  // Larger embeddings than the original's 1/dim so every term matters, and
  // non-zero biases.
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> dist(-0.8f, 0.8f);
  for (float& v : net.params()) v = dist(gen);

  // Repeated users and items, a negative equal to its positive, item 0.
  std::vector<UserId> users = {1, 2, 1, 4, 3, 1};
  std::vector<ItemId> items = {3, 6, 3, 1, 2, 5};
  std::vector<ItemId> negatives = {0, 6, 4, 1, 3, 0};
  std::vector<float> ratings = {4, 1, 5, 3, 2, 4};
  while (static_cast<int>(users.size()) < c.batch_size) {
    users.push_back(static_cast<UserId>(gen() % mc.num_users));
    items.push_back(static_cast<ItemId>(gen() % mc.num_items));
    negatives.push_back(static_cast<ItemId>(gen() % mc.num_items));
    ratings.push_back(static_cast<float>(1 + gen() % 5));
  }
  const Batch batch{users, items, ratings, negatives};
  const LossWeights weights{0.7, 0.3, c.bpr};

  ThreadPool pool(2);
  BatchBackprop backprop(net, weights, c.batch_size, pool.num_threads());
  std::vector<float> grads(net.params().size(), 0.0f);
  const BatchLosses losses = backprop.Run(net, batch, grads, pool);

  std::vector<double> p(net.params().begin(), net.params().end());
  const double joint = ReferenceJoint(net, p, batch, weights);
  EXPECT_NEAR(losses.joint, joint, 1e-5 * std::fabs(joint));

  double scale = 0;
  std::vector<double> fd(p.size());
  const double h = 1e-6;
  for (size_t k = 0; k < p.size(); ++k) {
    const double saved = p[k];
    p[k] = saved + h;
    const double up = ReferenceJoint(net, p, batch, weights);
    p[k] = saved - h;
    const double down = ReferenceJoint(net, p, batch, weights);
    p[k] = saved;
    fd[k] = (up - down) / (2 * h);
    scale = std::max(scale, std::fabs(fd[k]));
  }
  ASSERT_GT(scale, 1e-3);
  for (const ParamBlock& b : net.layout().blocks()) {
    for (int64_t k = b.offset; k < b.offset + b.size(); ++k) {
      EXPECT_NEAR(grads[k], fd[k], 1e-5 * scale + 1e-7) << b.name << "[" << k - b.offset << "]";
    }
  }
  if (c.user_bias) {
    const ParamBlock& a = net.layout().block(net.roles().user_bias);
    for (int64_t k = a.offset; k < a.offset + a.size(); ++k) EXPECT_EQ(grads[k], 0.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, BatchGradcheck,
                         ::testing::Values(Case{true, false, BprLoss::kSigmoid, {4}},
                                           Case{false, false, BprLoss::kSigmoid, {4}},
                                           Case{true, true, BprLoss::kLog, {5, 3}},
                                           Case{false, true, BprLoss::kLog, {2}},
                                           Case{true, false, BprLoss::kSigmoid, {4}, 150},
                                           Case{false, true, BprLoss::kLog, {3}, 200}));

}  // namespace
}  // namespace mtrec
