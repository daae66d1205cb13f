#include "mtrec/dataset.h"

#include <optional>

#include "mtrec/data/dataset_source.h"
#include "mtrec/data/duplicates.h"
#include "mtrec/data/item_titles.h"
#include "mtrec/data/ratings_parser.h"
#include "mtrec/io/zip_archive.h"

namespace mtrec {

namespace {

// The layout to parse with: a MovieLens set's own, with whatever the user
// stated explicitly taking precedence; otherwise the user's (auto by default).
RatingsFormat EffectiveFormat(const DataConfig& config, const DatasetSource& source) {
  if (source.movielens == nullptr) return config.format;
  RatingsFormat format = source.movielens->ratings_format();
  if (!config.format.auto_separator) format.separator = config.format.separator;
  if (config.format.header != HeaderMode::kAuto) format.header = config.format.header;
  format.columns = config.format.columns;
  return format;
}

Result<std::vector<std::string>> LoadTitles(const DatasetSource& source,
                                            const std::optional<ZipArchive>& zip,
                                            const IdMap& items) {
  const std::optional<TitlesFormat> format = TitlesFormatForFile(source.titles);
  if (!format) return std::vector<std::string>();
  std::unique_ptr<ByteSource> file;
  if (zip) {
    MTREC_ASSIGN_OR_RETURN(file, zip->OpenMember(source.titles));
  } else {
    MTREC_ASSIGN_OR_RETURN(file, OpenFileSource(source.titles));
  }
  MTREC_ASSIGN_OR_RETURN(const std::string text, ReadAll(*file));
  MTREC_ASSIGN_OR_RETURN(const std::vector<ItemTitle> titles,
                         ParseItemTitles(text, *format, file->name()));
  return TitlesByIndex(titles, items);
}

}  // namespace

Result<Dataset> LoadDataset(const DataConfig& config) {
  MTREC_ASSIGN_OR_RETURN(const DatasetSource source, ResolveDatasetSource(config));
  std::optional<ZipArchive> zip;
  std::unique_ptr<ByteSource> ratings;
  if (source.in_archive()) {
    MTREC_ASSIGN_OR_RETURN(zip, ZipArchive::Open(source.file));
    MTREC_ASSIGN_OR_RETURN(ratings, zip->OpenMember(source.member));
  } else {
    MTREC_ASSIGN_OR_RETURN(ratings, OpenFileSource(source.file));
  }

  RatingsParseOptions options;
  options.format = EffectiveFormat(config, source);
  options.remap_ids = config.ids == IdPolicy::kRemap ||
                      (config.ids == IdPolicy::kAuto && source.movielens == nullptr);
  options.threads = config.threads;
  MTREC_ASSIGN_OR_RETURN(ParsedRatings parsed, ParseRatings(*ratings, options));

  Dataset dataset;
  dataset.path = ratings->name();
  dataset.movielens = source.movielens != nullptr ? std::string(source.movielens->name) : "";
  dataset.interactions = std::move(parsed.interactions);
  dataset.users = std::move(parsed.users);
  dataset.items = std::move(parsed.items);
  MTREC_ASSIGN_OR_RETURN(dataset.duplicates_removed,
                         ApplyDuplicatePolicy(config.duplicates, dataset.interactions,
                                              dataset.users, dataset.items, dataset.path));
  if (!source.titles.empty()) {
    MTREC_ASSIGN_OR_RETURN(dataset.item_titles, LoadTitles(source, zip, dataset.items));
  }
  return dataset;
}

}  // namespace mtrec
