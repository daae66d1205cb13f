#include "mtrec/data/split.h"

#include <numeric>
#include <string>

#include "mtrec/core/check.h"
#include "mtrec/core/number_text.h"
#include "mtrec/core/numpy_rng.h"

namespace mtrec {

TrainTestSplit RandomTrainTestSplit(const Interactions& all, double test_fraction, uint32_t seed) {
  MTREC_CHECK(test_fraction > 0.0 && test_fraction < 1.0);
  const size_t n = all.size();
  TrainTestSplit split;
  split.permutation.resize(n);
  std::iota(split.permutation.begin(), split.permutation.end(), int64_t{0});
  NumpyLegacyRng rng(seed);
  rng.Shuffle(std::span<int64_t>(split.permutation));
  const auto cutoff = static_cast<size_t>((1.0 - test_fraction) * static_cast<double>(n));
  const std::span<const int64_t> perm(split.permutation);
  split.train = all.Select(perm.subspan(0, cutoff));
  split.test = all.Select(perm.subspan(cutoff));
  return split;
}

Result<TrainTestSplit> SplitInteractions(const Interactions& data, double test_fraction,
                                         uint32_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    return Status::InvalidArgument("test_fraction: expected a number in (0, 1), got " +
                                   NumberText(test_fraction));
  }
  // Select reads every column at every row: a shorter one would be read past its end.
  const size_t n = data.users.size();
  if (data.items.size() != n || data.ratings.size() != n ||
      (!data.timestamps.empty() && data.timestamps.size() != n)) {
    return Status::InvalidArgument(
        "data: the items, ratings and timestamps columns need one entry per user entry (" +
        std::to_string(n) + "), got " + std::to_string(data.items.size()) + ", " +
        std::to_string(data.ratings.size()) + " and " + std::to_string(data.timestamps.size()) +
        " (timestamps may be empty)");
  }
  TrainTestSplit split = RandomTrainTestSplit(data, test_fraction, seed);
  if (split.train.size() == 0 || split.test.size() == 0) {
    return Status::InvalidArgument("test_fraction " + NumberText(test_fraction) + " of " +
                                   std::to_string(data.size()) +
                                   " interactions leaves the train or the test part empty");
  }
  return split;
}

}  // namespace mtrec
