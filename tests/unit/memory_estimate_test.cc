// The training memory estimate (train/memory_estimate.h): with the tables
// sharded across N ranks a rank's estimate counts 1/N of the tables and their
// copies and the whole MLP, so a model whose tables fit only across several
// machines is not refused on each of them.
#include <gtest/gtest.h>

#include "mtrec/config.h"
#include "mtrec/train/memory_estimate.h"

namespace mtrec {
namespace {

TEST(MemoryEstimate, ShardedTablesCountTheRanksShare) {
  ModelConfig m;
  m.num_users = 1'000'000;
  m.num_items = 100'000;
  m.embedding_dim = 32;
  TrainConfig t;
  t.optimizer.kind = OptimizerKind::kLazyAdam;
  const int64_t one = EstimateTrainingBytes(m, t, 1024, /*early_stopping=*/true);
  const int64_t four = EstimateTrainingBytes(m, t, 1024, /*early_stopping=*/true, /*shards=*/4);
  // Tables: 1.1M rows x 32 floats and 100k biases; with lazy Adam and early
  // stopping 5 floats per parameter (weight, gradient, m, v, best copy); and
  // the evaluation's item panel (100k x 32 floats).
  const double sharded = 5.0 * 4 * (1'100'000.0 * 32 + 100'000) + 4.0 * 100'000 * 32;
  EXPECT_NEAR(static_cast<double>(one - four), sharded * 3 / 4, 1e-3 * sharded);
  EXPECT_EQ(EstimateTrainingBytes(m, t, 1024, true, /*shards=*/1), one);
}

// A model too large for this machine is refused with the widths that size it,
// the ranking tables' own width named only when it differs.
TEST(MemoryEstimate, TooLargeNamesItsWidths) {
  if (AvailableMemoryBytes() < 0) GTEST_SKIP() << "this machine's memory is unknown";
  ModelConfig m;
  m.num_users = 100'000'000;  // ~190 GB of tables, weights and Adam's moments
  m.num_items = 1'000;
  m.embedding_dim = 32;
  m.shared_embeddings = false;
  m.ranking_dim = 64;
  const TrainConfig t;
  Status s = CheckTrainingFitsInMemory(m, t, 1024, /*early_stopping=*/false);
  ASSERT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
  EXPECT_NE(s.message().find("--embedding_dim 32, --ranking_dim 64, --layers 64"),
            std::string::npos)
      << s.message();
  m.ranking_dim = 0;
  s = CheckTrainingFitsInMemory(m, t, 1024, /*early_stopping=*/false);
  ASSERT_EQ(s.code(), Status::Code::kUnavailable) << s.message();
  EXPECT_NE(s.message().find("--embedding_dim 32, --layers 64"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace mtrec
