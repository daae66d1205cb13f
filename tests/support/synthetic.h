// Synthetic rating data for tests, MovieLens-shaped (1-based ids, ratings 1..5):
// a low-rank taste model plus noise (MakeSyntheticRatings) or two taste groups
// written as u.data + u.item (WriteGroupedRatings), so training has signal to learn.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "mtrec/data/user_item_sets.h"

namespace mtrec::testing {

// n ratings over users 1..num_users and items 1..num_items (tables sized max id + 1).
Interactions MakeSyntheticRatings(int num_users, int num_items, int n, uint32_t seed);

// Writes `x` as a u.data file (user TAB item TAB rating TAB timestamp).
void WriteUData(const std::string& path, const Interactions& x);

// Writes dir/u.data (user item rating timestamp, raw 1-based ids) with two
// taste groups: users 1..users/2 rate items 1..items/2 high and the others low,
// and the reverse for the other half, so a model learns something in a few
// epochs. `per_user` distinct items per user, deterministic in `seed`. Also
// writes u.item (Latin-1 titles "Movie <id> caf\xe9 (1990)") beside it.
void WriteGroupedRatings(const std::filesystem::path& dir, int users, int items, int per_user,
                         uint32_t seed);

// `mtrec train` flags under which both heads overfit grouped data within a few
// epochs (a large step, a heavy regression weight): for tests of the
// selection of epochs.
std::vector<std::string> FastOverfittingFlags();

}  // namespace mtrec::testing
