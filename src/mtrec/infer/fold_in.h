// Fold-in: a user the model has never seen, given a few ratings, gets an
// embedding fitted against the frozen model (items, biases and MLP fixed), so
// that the model can recommend for them without retraining.
//
// The objective is the training objective restricted to the new user u:
//   J(u) = wF * mean_s bpr(p(u, i_s) - p(u, j_s)) + wR * mean_s (r_s - r(u, i_s))^2
//          + l2 * |u|^2
// over the user's ratings s, with a fresh uniform negative j_s per rating at
// every step (numpy-compatible stream seeded with `seed`), minimised by
// full-batch Adam from u = 0. Only u's row(s) move: U (shared embeddings) or
// U_fact and U_reg (separate). Gradients, with x = p(u,i) - p(u,j) and the MLP
// input z = [u_r, q_i, u_r * q_i]:
//   dJ/du_f = wF/N * bpr'(x) * (Q_f[i] - Q_f[j])
//   dJ/du_r = wR/N * 2 (y - r) * (dy/dz[0:d] + dy/dz[2d:3d] * Q_r[i])
// (+ 2 l2 u for each). The L2 term keeps a handful of ratings from blowing the
// embedding up to extreme scores and out-of-scale predicted ratings.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "mtrec/config.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/status.h"

namespace mtrec {

struct FoldInConfig {
  int steps = 300;
  double learning_rate = 0.05;
  double l2 = 0.01;
  uint32_t seed = 42;
};

struct RatedItem {
  ItemId item = 0;
  float rating = 0;
};

struct FoldInResult {
  std::unique_ptr<MultiTaskNet> net;  // the model with one more user row
  UserId user = 0;                    // that row (the old num_users)
  double first_loss = 0;              // J at the first and the last step
  double last_loss = 0;
};

// REQUIRES: every item < net.config().num_items. Empty `ratings` is InvalidArgument.
// `train` supplies the loss weights and the BPR variant the model was trained with.
Result<FoldInResult> FoldInUser(const MultiTaskNet& net, std::span<const RatedItem> ratings,
                                const TrainConfig& train, const FoldInConfig& config);

}  // namespace mtrec
