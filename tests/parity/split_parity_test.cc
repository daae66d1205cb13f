// The split and the training stream against numpy's legacy RandomState
// (golden values from reference/make_golden.py, and the spec's ML-100K facts).
#include <gtest/gtest.h>

#include <numeric>

#include "mtrec/core/numpy_rng.h"
#include "mtrec/data/split.h"
#include "support/golden_file.h"

namespace mtrec {
namespace {

using testing::GoldenFile;
using testing::TestDataPath;

GoldenFile LoadSplitGolden() {
  auto file = GoldenFile::Load(TestDataPath("golden/split.txt"));
  EXPECT_TRUE(file.ok()) << file.status().message();
  return file.ok() ? std::move(file).value() : GoldenFile();
}

Interactions Rows(int64_t n) {
  Interactions x;
  x.num_users = x.num_items = 1;
  x.users.assign(n, 0);
  x.items.resize(n);
  std::iota(x.items.begin(), x.items.end(), 0);  // item k marks original row k
  x.ratings.assign(n, 1.0f);
  return x;
}

TEST(SplitParity, PermutationAndCutoffMatchNumpy) {
  const GoldenFile g = LoadSplitGolden();
  const auto n = static_cast<int64_t>(g.Scalar("n"));
  const TrainTestSplit split = RandomTrainTestSplit(Rows(n), g.Scalar("test_fraction"),
                                                    static_cast<uint32_t>(g.Scalar("seed")));
  const std::vector<int> perm = g.Ints("perm");
  ASSERT_EQ(split.permutation.size(), perm.size());
  for (size_t k = 0; k < perm.size(); ++k) ASSERT_EQ(split.permutation[k], perm[k]) << "at " << k;
  const auto cutoff = static_cast<size_t>(g.Scalar("cutoff"));
  ASSERT_EQ(split.train.size(), cutoff);
  ASSERT_EQ(split.test.size(), perm.size() - cutoff);
  EXPECT_EQ(split.train.items.front(), perm.front());
  EXPECT_EQ(split.test.items.front(), perm[cutoff]);
  EXPECT_EQ(split.test.items.back(), perm.back());
}

TEST(SplitParity, RandIntMatchesNumpy) {
  const GoldenFile g = LoadSplitGolden();
  NumpyLegacyRng rng(static_cast<uint32_t>(g.Scalar("randint_seed")));
  const std::vector<int> expected = g.Ints("randint");
  std::vector<int32_t> got(expected.size());
  rng.RandIntFill(static_cast<uint32_t>(g.Scalar("randint_high")), std::span<int32_t>(got));
  for (size_t k = 0; k < expected.size(); ++k) ASSERT_EQ(got[k], expected[k]) << "draw " << k;
}

TEST(SplitParity, ShuffleThenRandIntShareOneStream) {
  const GoldenFile g = LoadSplitGolden();
  NumpyLegacyRng rng(static_cast<uint32_t>(g.Scalar("interleaved_seed")));
  std::vector<int64_t> idx(static_cast<size_t>(g.Scalar("interleaved_n")));
  std::iota(idx.begin(), idx.end(), int64_t{0});
  rng.Shuffle(std::span<int64_t>(idx));
  const std::vector<int> perm = g.Ints("interleaved_perm");
  for (size_t k = 0; k < perm.size(); ++k) ASSERT_EQ(idx[k], perm[k]);
  const std::vector<int> expected = g.Ints("interleaved_randint");
  std::vector<int32_t> got(expected.size());
  rng.RandIntFill(static_cast<uint32_t>(g.Scalar("interleaved_randint_high")),
                  std::span<int32_t>(got));
  for (size_t k = 0; k < expected.size(); ++k) ASSERT_EQ(got[k], expected[k]);
}

// Shuffle draws ahead of its swaps (to prefetch); the result, and the stream
// left for the next draw, must be the plain Fisher-Yates loop's for every size
// (around the look-ahead's length too) and element type.
TEST(SplitParity, ShuffleIsThePlainLoopForAnySizeAndType) {
  struct Record {
    int32_t user, item;
    float rating;
  };
  for (const size_t n : {0, 1, 2, 3, 15, 16, 17, 18, 33, 1000, 100003}) {
    std::vector<Record> got(n), expected(n);
    for (size_t k = 0; k < n; ++k) got[k] = expected[k] = {int32_t(k), int32_t(3 * k), float(k)};
    NumpyLegacyRng rng(17), plain(17);
    rng.Shuffle(std::span<Record>(got));
    for (size_t i = n; i-- > 1;) std::swap(expected[i], expected[plain.Interval(uint32_t(i))]);
    for (size_t k = 0; k < n; ++k) {
      ASSERT_EQ(got[k].user, expected[k].user) << "n " << n << " at " << k;
      ASSERT_EQ(got[k].item, expected[k].item);
      ASSERT_EQ(got[k].rating, expected[k].rating);
    }
    EXPECT_EQ(rng.NextUint32(), plain.NextUint32()) << "n " << n;
  }
}

// docs/semantics.md §2: the ML-100K permutation (100,000 rows, RandomState(123)).
TEST(SplitParity, MovieLens100kPermutationMatchesSpec) {
  const TrainTestSplit split = RandomTrainTestSplit(Rows(100000), 0.05);
  const int64_t head[] = {42083, 71825, 99535, 47879, 36734, 48636, 59566, 44826, 51584, 4368};
  const int64_t tail[] = {63206, 61404, 17730, 28030, 15725};
  for (int k = 0; k < 10; ++k) EXPECT_EQ(split.permutation[k], head[k]);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(split.permutation[100000 - 5 + k], tail[k]);
  EXPECT_EQ(split.train.size(), 95000u);
  EXPECT_EQ(split.test.size(), 5000u);
}

TEST(SplitParity, CutoffTruncatesLikePythonInt) {
  // (1 - 0.9) * 100 = 9.999999999999998 in double: Python's int() gives 9, not 10.
  const TrainTestSplit split = RandomTrainTestSplit(Rows(100), 0.9);
  EXPECT_EQ(split.train.size(), 9u);
  EXPECT_EQ(split.test.size(), 91u);
}

}  // namespace
}  // namespace mtrec
