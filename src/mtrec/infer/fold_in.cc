#include "mtrec/infer/fold_in.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/cpu/batch_rows.h"
#include "mtrec/core/numpy_rng.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

namespace {

// `net` with one more (zero) user row in every user table.
std::unique_ptr<MultiTaskNet> WithNewUser(const MultiTaskNet& net) {
  ModelConfig config = net.config();
  config.num_users += 1;
  auto out = std::make_unique<MultiTaskNet>(config);
  for (const ParamBlock& b : net.layout().blocks()) {
    const ParamBlock& to = out->layout().block(out->layout().Find(b.name));
    std::copy_n(net.params().begin() + b.offset, b.size(), out->params().begin() + to.offset);
  }
  return out;
}

// The user tables: U when shared, else U_fact and U_reg.
std::vector<int> UserBlocks(const MultiTaskNet& net) {
  const MultiTaskNet::Roles& roles = net.roles();
  if (roles.u_fact == roles.u_reg) return {roles.u_fact};
  return {roles.u_fact, roles.u_reg};
}

}  // namespace

Result<FoldInResult> FoldInUser(const MultiTaskNet& base, std::span<const RatedItem> ratings,
                                const TrainConfig& train, const FoldInConfig& config,
                                ThreadPool& pool) {
  if (ratings.empty()) return Status::InvalidArgument("ratings: at least one rating is needed");
  FoldInResult result;
  result.net = WithNewUser(base);
  MultiTaskNet& net = *result.net;
  result.user = base.config().num_users;
  const std::span<float> params = net.params();
  const ParameterLayout& layout = net.layout();

  // One batch of every rating of the new user; only its negatives change from step to step.
  const size_t n = ratings.size();
  const std::vector<UserId> users(n, result.user);
  std::vector<ItemId> items(n), negatives(n);
  std::vector<float> values(n);
  for (size_t s = 0; s < n; ++s) {
    items[s] = ratings[s].item;
    values[s] = ratings[s].rating;
  }
  const Batch batch{users, items, values, negatives};
  BatchBackprop backprop(net, {train.factorization_weight, train.regression_weight, train.bpr_loss},
                         static_cast<int>(n), pool.num_threads());
  BatchRows batch_rows;
  SparseRows read;  // the rows the batch reads, hence writes a gradient to

  // The training optimizer, on the new user's row(s) only: items, biases and
  // the MLP (from dense_begin = the end) stay frozen.
  OptimizerConfig adam;  // torch's Adam defaults, as training uses
  adam.kind = OptimizerKind::kLazyAdam;
  adam.learning_rate = config.learning_rate;
  adam.weight_decay = 2 * config.l2;  // d/du of l2 |u|^2
  const std::unique_ptr<Optimizer> optimizer = MakeOptimizer(adam, std::ssize(params));
  SparseRows user_rows;
  for (int block : UserBlocks(net)) {
    const ParamBlock& b = layout.block(block);
    user_rows.tables.push_back({b.offset, b.cols, {result.user}});
  }
  user_rows.dense_begin = std::ssize(params);
  std::vector<float> grads(params.size(), 0.0f);

  NumpyLegacyRng rng(config.seed);
  for (int step = 1; step <= config.steps; ++step) {
    rng.RandIntFill(static_cast<uint32_t>(net.config().num_items), std::span<ItemId>(negatives));
    batch_rows.Collect(net, batch, pool, read);
    const BatchLosses losses = backprop.Run(net, batch, grads, pool);
    double loss = losses.joint;
    for (const SparseRows::Table& t : user_rows.tables) {
      const float* u = params.data() + t.offset + int64_t{result.user} * t.cols;
      for (int64_t c = 0; c < t.cols; ++c) loss += config.l2 * u[c] * u[c];
    }
    if (!std::isfinite(loss)) {
      return Status::Aborted("fold-in diverged: the loss is not finite at step " +
                                     std::to_string(step) +
                                     " (try a smaller --fold_in_learning_rate)");
    }
    if (step == 1) result.first_loss = loss;
    result.last_loss = loss;
    // The sparse optimizer reads only the user rows and REQUIRES every other
    // gradient to be zero: drop what the frozen rows and the MLP received.
    for (const SparseRows::Table& t : read.tables) {
      const bool user_table =
          std::any_of(user_rows.tables.begin(), user_rows.tables.end(),
                      [&](const SparseRows::Table& u) { return u.offset == t.offset; });
      if (user_table) continue;
      for (int32_t row : t.rows) std::fill_n(grads.begin() + t.offset + row * t.cols, t.cols, 0.0f);
    }
    std::fill(grads.begin() + read.dense_begin, grads.end(), 0.0f);
    optimizer->Step(params, grads, user_rows, pool);
  }
  return result;
}

}  // namespace mtrec
