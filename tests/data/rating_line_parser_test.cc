// The fast and the general path of a ratings line agree, and both hold the
// documented bound |rating| <= 1e6 (hardening issue item 9: 1000001 passed
// the fast path while 1.000001e6 was refused by the other).
#include "mtrec/data/rating_line_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace mtrec {
namespace {

const std::vector<RatingsColumn> kColumns = {RatingsColumn::kUser, RatingsColumn::kItem,
                                             RatingsColumn::kRating, RatingsColumn::kTimestamp};

// Parses "1\t2\t<rating>\t3" on both paths and checks they agree with the bound.
void ExpectBothPathsAgree(const std::string& rating, double exact) {
  SCOPED_TRACE("rating '" + rating + "'");
  const RatingLineParser parser(kColumns, "\t", /*remap_ids=*/false);
  const std::string line = "1\t2\t" + rating + "\t3";
  std::deque<std::string> unescaped;
  RatingRow slow;
  const Result<bool> parsed = parser.Parse(line, &slow, &unescaped);
  const bool within = std::fabs(exact) <= 1e6;
  EXPECT_EQ(parsed.ok(), within) << (parsed.ok() ? "" : parsed.status().message());
  if (!parsed.ok()) {
    EXPECT_NE(parsed.status().message().find("out of range"), std::string::npos)
        << parsed.status().message();
  }
  RatingRow fast;
  const char* ended = parser.ParseFast(line.data(), line.data() + line.size(), &fast);
  if (ended == nullptr) return;  // the fast path may always defer to the general one
  EXPECT_TRUE(within) << "the fast path accepted a rating beyond 1e6";
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(fast.rating, slow.rating);
  EXPECT_EQ(fast.user, slow.user);
  EXPECT_EQ(fast.item, slow.item);
}

TEST(RatingLineParser, TheBoundHoldsOnBothPathsAtItsEdges) {
  for (const char* text : {"1000000", "1000000.0", "1000000.5", "1000001", "1000001.0",
                           "1048576", "1048577", "1.000001e6", "1e6", "999999.5", "2097152"}) {
    ExpectBothPathsAgree(text, std::stod(text));
  }
}

// A property over many values: random integers and halves across the bound.
TEST(RatingLineParser, BothPathsAgreeOnRandomRatings) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> whole(0, 2'200'000);
  for (int k = 0; k < 4000; ++k) {
    const int64_t w = k < 2000 ? whole(rng) : 999'000 + whole(rng) % 2'000;
    const char* tail = k % 3 == 0 ? "" : k % 3 == 1 ? ".0" : ".5";
    const double exact = static_cast<double>(w) + (k % 3 == 2 ? 0.5 : 0.0);
    ExpectBothPathsAgree(std::to_string(w) + tail, exact);
  }
}

}  // namespace
}  // namespace mtrec
