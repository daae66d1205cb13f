#include "support/checkpoint_compare.h"

#include <gtest/gtest.h>

#include "mtrec/train/checkpoint.h"

namespace mtrec::testing {

void ExpectSameWeights(const std::string& a_path, const std::string& b_path) {
  auto a = LoadCheckpoint(a_path);
  auto b = LoadCheckpoint(b_path);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a->params, b->params);
  EXPECT_EQ(a->optimizer_state, b->optimizer_state);
  EXPECT_EQ(a->optimizer_steps, b->optimizer_steps);
  EXPECT_EQ(a->rng_state, b->rng_state);
  EXPECT_EQ(a->best_params, b->best_params);
}

}  // namespace mtrec::testing
