// Shared pieces of the public-API tests (tests/api/): synthetic data with
// string ids, a small fast model, and exact comparisons of parameters and
// training histories. Only the public headers (include/mtrec/) are used.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "support/synthetic.h"

namespace mtrec::api_test {

// Ratings as a user of the library has them: string ids, one entry per rating.
struct Columns {
  std::vector<std::string> users;
  std::vector<std::string> items;
  std::vector<float> ratings;
  std::vector<int64_t> timestamps;
};

// n low-rank synthetic ratings (1..5) of users "u1".."u<users>" on items "i1"...
inline Columns MakeColumns(int users, int items, int n, uint32_t seed) {
  const Interactions x = testing::MakeSyntheticRatings(users, items, n, seed);
  Columns c;
  for (size_t k = 0; k < x.size(); ++k) {
    c.users.push_back("u" + std::to_string(x.users[k]));
    c.items.push_back("i" + std::to_string(x.items[k]));
  }
  c.ratings = x.ratings;
  c.timestamps = x.timestamps;
  return c;
}

inline Dataset MakeDataset(const Columns& c) {
  Result<Dataset> d = DatasetFromStrings(c.users, c.items, c.ratings, c.timestamps);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return std::move(d).value();
}

// A small model that trains in milliseconds.
inline ModelOptions SmallOptions(int threads = 2, uint32_t seed = 5) {
  ModelOptions o;
  o.model.embedding_dim = 8;
  o.model.hidden_layers = {16};
  o.train.batch_size = 128;
  o.train.seed = seed;
  o.threads = threads;
  return o;
}

// An early-stopping configuration (the grid of rating_l2 left off).
inline EarlyStoppingConfig Early(Metric metric, int patience, bool per_head, bool refit = false) {
  EarlyStoppingConfig e;
  e.metric = metric;
  e.patience = patience;
  e.per_head = per_head;
  e.refit = refit;
  return e;
}

inline bool SameBits(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

// Names, shapes and every value bit for bit.
inline ::testing::AssertionResult SameParameters(const std::vector<NamedTensor>& a,
                                                 const std::vector<NamedTensor>& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " tensors";
  }
  for (size_t t = 0; t < a.size(); ++t) {
    if (a[t].name != b[t].name || a[t].rows != b[t].rows || a[t].cols != b[t].cols ||
        a[t].values.size() != b[t].values.size()) {
      return ::testing::AssertionFailure()
             << "tensor " << t << " differs in name or shape: " << a[t].name << " vs " << b[t].name;
    }
    for (size_t k = 0; k < a[t].values.size(); ++k) {
      if (!SameBits(a[t].values[k], b[t].values[k])) {
        return ::testing::AssertionFailure()
               << a[t].name << "[" << k << "]: " << a[t].values[k] << " vs " << b[t].values[k];
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// Every epoch's number, losses and metrics exactly (timings aside).
inline void ExpectSameHistory(const std::vector<EpochStats>& a, const std::vector<EpochStats>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t e = 0; e < a.size(); ++e) {
    SCOPED_TRACE("epoch index " + std::to_string(e));
    EXPECT_EQ(a[e].epoch, b[e].epoch);
    EXPECT_EQ(a[e].losses.factorization, b[e].losses.factorization);
    EXPECT_EQ(a[e].losses.regression, b[e].losses.regression);
    EXPECT_EQ(a[e].losses.joint, b[e].losses.joint);
    EXPECT_EQ(a[e].losses.batches, b[e].losses.batches);
    EXPECT_EQ(a[e].eval.mrr, b[e].eval.mrr);
    EXPECT_EQ(a[e].eval.mse, b[e].eval.mse);
    EXPECT_EQ(a[e].eval.mrr_users, b[e].eval.mrr_users);
    EXPECT_EQ(a[e].eval.test_size, b[e].eval.test_size);
    EXPECT_EQ(a[e].has_validation, b[e].has_validation);
    EXPECT_EQ(a[e].validation.mrr, b[e].validation.mrr);
    EXPECT_EQ(a[e].validation.mse, b[e].validation.mse);
  }
}

}  // namespace mtrec::api_test
