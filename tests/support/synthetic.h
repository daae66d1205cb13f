// Synthetic rating data for tests: MovieLens-shaped (1-based ids, ratings 1..5
// from a low-rank taste model plus noise), so training has signal to learn.
#pragma once

#include <cstdint>
#include <string>

#include "mtrec/data/interactions.h"

namespace mtrec::testing {

// n ratings over users 1..num_users and items 1..num_items (tables sized max id + 1).
Interactions MakeSyntheticRatings(int num_users, int num_items, int n, uint32_t seed);

// Writes `x` as a u.data file (user TAB item TAB rating TAB timestamp).
void WriteUData(const std::string& path, const Interactions& x);

// A fresh empty folder under the system temp dir, unique per call.
std::string MakeTempDir(const std::string& tag);

}  // namespace mtrec::testing
