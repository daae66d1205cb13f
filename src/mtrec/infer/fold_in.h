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
// U_fact and U_reg (separate). The L2 term keeps a handful of ratings from
// blowing the embedding up to extreme scores and out-of-scale predicted ratings.
//
// It is computed by training's own pieces: each step is one Batch of the
// user's ratings through BatchBackprop (the first two terms and their
// gradient), and the update is training's lazy Adam (torch's defaults but the
// learning rate) on u's row(s) only, the L2 term entering as its weight_decay
// 2 * l2 (the gradient of l2 |u|^2 is 2 l2 u; weight_decay adds wd * u).
// The result is bit-identical for any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "mtrec/config.h"
#include "mtrec/metrics.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/status.h"

namespace mtrec {

class ThreadPool;

struct FoldInResult {
  std::unique_ptr<MultiTaskNet> net;  // the model with one more user row
  UserId user = 0;                    // that row (the old num_users)
  double first_loss = 0;              // J at the first and the last step
  double last_loss = 0;
};

// REQUIRES: every item < net.config().num_items. Empty `ratings` is InvalidArgument,
// and so is a loss that stops being finite (too large a learning rate).
// `train` supplies the loss weights and the BPR variant the model was trained
// with; the work of each step is spread over `pool`.
Result<FoldInResult> FoldInUser(const MultiTaskNet& net, std::span<const RatedItem> ratings,
                                const TrainConfig& train, const FoldInConfig& config,
                                ThreadPool& pool);

}  // namespace mtrec
