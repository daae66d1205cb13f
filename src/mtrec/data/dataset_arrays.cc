// Data sets built from in-memory columns (mtrec/dataset.h): the same Dataset
// the file loaders produce, so that everything downstream is shared.
#include <cmath>
#include <string>

#include "mtrec/dataset.h"

namespace mtrec {

namespace {

Status CheckLengths(size_t n, size_t items, size_t ratings, size_t timestamps) {
  if (n == 0) return Status::InvalidArgument("users: no interactions");
  if (items != n) {
    return Status::InvalidArgument("items: expected " + std::to_string(n) +
                                   " entries (one per user entry), got " + std::to_string(items));
  }
  if (ratings != 0 && ratings != n) {
    return Status::InvalidArgument("ratings: expected " + std::to_string(n) +
                                   " entries or none, got " + std::to_string(ratings));
  }
  if (timestamps != 0 && timestamps != n) {
    return Status::InvalidArgument("timestamps: expected " + std::to_string(n) +
                                   " entries or none, got " + std::to_string(timestamps));
  }
  if (n >= (size_t{1} << 31)) {
    return Status::InvalidArgument("users: more than 2^31 - 1 interactions");
  }
  return Status::Ok();
}

// The ratings and timestamps columns of `out` (ratings 1 when none are given).
Status FillValues(std::span<const float> ratings, std::span<const int64_t> timestamps,
                  Interactions& out) {
  const size_t n = out.users.size();
  if (ratings.empty()) {
    out.ratings.assign(n, 1.0f);
  } else {
    for (size_t k = 0; k < n; ++k) {
      if (!std::isfinite(ratings[k])) {
        return Status::InvalidArgument("ratings[" + std::to_string(k) +
                                       "]: expected a finite number, got " +
                                       std::to_string(ratings[k]));
      }
    }
    out.ratings.assign(ratings.begin(), ratings.end());
  }
  out.timestamps.assign(timestamps.begin(), timestamps.end());
  return Status::Ok();
}

// Numbers raw integer ids densely into `map` (first appearance order), or
// checks them as rows. Sets *rows to the table size.
template <typename Id>
Status Number(std::span<const Id> raw, bool as_rows, const char* what, IdMap& map,
              std::vector<int32_t>& out, int32_t* rows) {
  out.resize(raw.size());
  if (as_rows) {
    int64_t max_id = -1;
    for (size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] < 0 || int64_t{raw[k]} >= INT32_MAX) {
        return Status::InvalidArgument(std::string(what) + "[" + std::to_string(k) +
                                       "]: raw ids are table rows and must be in [0, 2^31 - 1), "
                                       "got " +
                                       std::to_string(raw[k]) +
                                       " (number ids densely instead: IdPolicy::kRemap)");
      }
      out[k] = static_cast<int32_t>(raw[k]);
      max_id = std::max<int64_t>(max_id, raw[k]);
    }
    *rows = static_cast<int32_t>(max_id + 1);
    map = IdMap::Identity(*rows);
    return Status::Ok();
  }
  map = IdMap();
  for (size_t k = 0; k < raw.size(); ++k) out[k] = map.Intern(std::to_string(raw[k]));
  *rows = map.size();
  return Status::Ok();
}

template <typename Id>
Result<Dataset> FromIntegerIds(std::span<const Id> users, std::span<const Id> items,
                               std::span<const float> ratings, std::span<const int64_t> timestamps,
                               IdPolicy ids) {
  MTREC_RETURN_IF_ERROR(
      CheckLengths(users.size(), items.size(), ratings.size(), timestamps.size()));
  Dataset d;
  d.path = kInMemoryDataPath;
  const bool as_rows = ids == IdPolicy::kRaw;
  Interactions& x = d.interactions;
  MTREC_RETURN_IF_ERROR(Number(users, as_rows, "users", d.users, x.users, &x.num_users));
  MTREC_RETURN_IF_ERROR(Number(items, as_rows, "items", d.items, x.items, &x.num_items));
  MTREC_RETURN_IF_ERROR(FillValues(ratings, timestamps, x));
  return d;
}

}  // namespace

Result<Dataset> DatasetFromArrays(std::span<const int64_t> users, std::span<const int64_t> items,
                                  std::span<const float> ratings,
                                  std::span<const int64_t> timestamps, IdPolicy ids) {
  return FromIntegerIds(users, items, ratings, timestamps, ids);
}

Result<Dataset> DatasetFromArrays(std::span<const int32_t> users, std::span<const int32_t> items,
                                  std::span<const float> ratings,
                                  std::span<const int64_t> timestamps, IdPolicy ids) {
  return FromIntegerIds(users, items, ratings, timestamps, ids);
}

Result<Dataset> DatasetFromStrings(std::span<const std::string> users,
                                   std::span<const std::string> items,
                                   std::span<const float> ratings,
                                   std::span<const int64_t> timestamps) {
  MTREC_RETURN_IF_ERROR(
      CheckLengths(users.size(), items.size(), ratings.size(), timestamps.size()));
  Dataset d;
  d.path = kInMemoryDataPath;
  Interactions& x = d.interactions;
  x.users.resize(users.size());
  x.items.resize(items.size());
  for (size_t k = 0; k < users.size(); ++k) {
    x.users[k] = d.users.Intern(users[k]);
    x.items[k] = d.items.Intern(items[k]);
  }
  x.num_users = d.users.size();
  x.num_items = d.items.size();
  MTREC_RETURN_IF_ERROR(FillValues(ratings, timestamps, x));
  return d;
}

}  // namespace mtrec
