// ServedModel: one loaded checkpoint and what the server derives from it once
// (titles, the search list, the checksum), immutable after Load. The server
// holds the current one in a ModelSlot; a request takes a shared_ptr to it at
// its start and answers from it to the end, so a reload never changes a model
// under a request.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "mtrec/status.h"

namespace mtrec::serve {

// Where a model comes from (the serve command's flags).
struct ModelSource {
  std::string path;  // the checkpoint
  LoadOptions load;  // threads, backend, where its data set is now
  // Set: recommendations come from an approximate index built at every load
  // and reload (Model::BuildIndex); unset: exact.
  std::optional<IndexOptions> index;
};

class ServedModel {
 public:
  // Loads the checkpoint and its recorded data set (the known interactions
  // and titles): NotFound/Corruption naming the file when either cannot be
  // read or they do not match, so that a bad reload is refused whole.
  static Result<std::shared_ptr<const ServedModel>> Load(const ModelSource& source);
  // An in-memory `model` answering for `data` (its known interactions and
  // titles; data.path is dataset()), with an index if `index` is set; path()
  // and checksum() are "" (tests and fuzz targets: no checkpoint file).
  static Result<std::shared_ptr<const ServedModel>> FromModel(
      Model model, const Dataset& data, const std::optional<IndexOptions>& index = std::nullopt);

  const Model& model() const { return model_; }
  const std::string& path() const { return path_; }
  const std::string& checksum() const { return checksum_; }  // "sha256:<hex>" of the file
  const std::string& dataset() const { return dataset_; }    // where the ratings were read
  double load_seconds() const { return load_seconds_; }
  int64_t loaded_at() const { return loaded_at_; }  // Unix seconds

  // The title of a table row ("" when the data set has none).
  const std::string& Title(ItemId item) const;
  // Items that occur in the data whose title (or id) contains `text`,
  // case-insensitively (ASCII), in table order, at most `limit`. An empty
  // `text` lists the first `limit` items.
  std::vector<ItemId> Search(std::string_view text, int limit) const;

 private:
  explicit ServedModel(Model model) : model_(std::move(model)) {}
  // FromModel's body; Load then sets what comes from the file.
  static Result<std::shared_ptr<ServedModel>> Make(Model model, const Dataset& data,
                                                   const std::optional<IndexOptions>& index);

  Model model_;
  std::string path_, checksum_, dataset_;
  double load_seconds_ = 0;
  int64_t loaded_at_ = 0;
  std::vector<std::string> titles_;  // by row, "" where unknown
  struct Entry {
    ItemId item;
    std::string text;  // lower-cased "id title"
  };
  std::vector<Entry> search_;
};

// The current model, swapped atomically (reload) while requests read it.
class ModelSlot {
 public:
  std::shared_ptr<const ServedModel> Get() const { return current_.load(); }
  void Set(std::shared_ptr<const ServedModel> model) { current_.store(std::move(model)); }

 private:
  std::atomic<std::shared_ptr<const ServedModel>> current_;
};

}  // namespace mtrec::serve
