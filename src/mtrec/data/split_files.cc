// LoadSplitDataset (mtrec/dataset.h): a predefined split's files in one id space.
#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/dataset.h"

namespace mtrec {

namespace {

// One of the split's files, read alone with `config`'s policies.
Result<Dataset> LoadPart(const DataConfig& config, const std::string& path, const char* field) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound(std::string(field) + ": no such file '" + path + "'");
  }
  DataConfig part = config;
  part.dataset = path;
  part.train_path.clear();
  part.test_path.clear();
  part.validation_path.clear();
  part.on_download = nullptr;
  return LoadDataset(part);
}

// Renumbers `part`'s rows into `users`/`items` (dense maps that already hold
// the earlier files' ids).
void Renumber(const Dataset& from, IdMap& users, IdMap& items, Interactions& part) {
  std::vector<int32_t> user_row(static_cast<size_t>(from.users.size()));
  std::vector<int32_t> item_row(static_cast<size_t>(from.items.size()));
  for (int32_t r = 0; r < from.users.size(); ++r) user_row[r] = users.Intern(from.users.Name(r));
  for (int32_t r = 0; r < from.items.size(); ++r) item_row[r] = items.Intern(from.items.Name(r));
  for (UserId& u : part.users) u = user_row[u];
  for (ItemId& i : part.items) i = item_row[i];
}

void Append(const Interactions& part, Interactions& all) {
  all.users.insert(all.users.end(), part.users.begin(), part.users.end());
  all.items.insert(all.items.end(), part.items.begin(), part.items.end());
  all.ratings.insert(all.ratings.end(), part.ratings.begin(), part.ratings.end());
  all.timestamps.insert(all.timestamps.end(), part.timestamps.begin(), part.timestamps.end());
}

}  // namespace

Result<SplitDataset> LoadSplitDataset(const DataConfig& config) {
  if (config.train_path.empty() || config.test_path.empty()) {
    return Status::InvalidArgument(
        config.train_path.empty()
            ? "test_path: a predefined split needs its training file too (train_path)"
            : "train_path: a predefined split needs its test file too (test_path)");
  }
  MTREC_ASSIGN_OR_RETURN(Dataset train, LoadPart(config, config.train_path, "train_path"));
  // The training file decides how ids are read; the others follow it.
  DataConfig rest = config;
  const bool raw = train.users.is_identity() && train.items.is_identity();
  rest.ids = raw ? IdPolicy::kRaw : IdPolicy::kRemap;
  Dataset validation;
  if (!config.validation_path.empty()) {
    MTREC_ASSIGN_OR_RETURN(validation,
                           LoadPart(rest, config.validation_path, "validation_path"));
  }
  MTREC_ASSIGN_OR_RETURN(Dataset test, LoadPart(rest, config.test_path, "test_path"));

  SplitDataset split;
  Dataset& all = split.dataset;
  all.path = train.path;
  all.movielens = train.movielens;
  all.split_files = {train.path, validation.path, test.path};
  all.duplicates_removed =
      train.duplicates_removed + validation.duplicates_removed + test.duplicates_removed;
  split.train = std::move(train.interactions);
  split.validation = std::move(validation.interactions);
  split.test = std::move(test.interactions);
  if (raw) {
    const int32_t users = std::max({split.train.num_users, split.validation.num_users,
                                    split.test.num_users});
    const int32_t items = std::max({split.train.num_items, split.validation.num_items,
                                    split.test.num_items});
    all.users = IdMap::Identity(users);
    all.items = IdMap::Identity(items);
  } else {
    all.users = std::move(train.users);
    all.items = std::move(train.items);
    if (!config.validation_path.empty()) {
      Renumber(validation, all.users, all.items, split.validation);
    }
    Renumber(test, all.users, all.items, split.test);
  }
  const bool timestamps = !split.train.timestamps.empty() && !split.test.timestamps.empty() &&
                          (config.validation_path.empty() || !split.validation.timestamps.empty());
  for (Interactions* part : {&split.train, &split.validation, &split.test}) {
    part->num_users = all.users.size();
    part->num_items = all.items.size();
    if (!timestamps) part->timestamps.clear();
    Append(*part, all.interactions);
  }
  all.interactions.num_users = all.users.size();
  all.interactions.num_items = all.items.size();
  all.item_titles = std::move(train.item_titles);
  if (!all.item_titles.empty()) all.item_titles.resize(static_cast<size_t>(all.items.size()));
  return split;
}

}  // namespace mtrec
