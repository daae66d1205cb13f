#include "mtrec/data/dataset.h"

#include "mtrec/data/movielens.h"

namespace mtrec {

Result<Dataset> LoadDataset(const DataConfig& config) {
  const std::filesystem::path data_dir =
      config.data_dir.empty() ? DefaultDataDir() : std::filesystem::path(config.data_dir);
  MTREC_ASSIGN_OR_RETURN(const std::filesystem::path path,
                         ResolveDatasetPath(config.dataset, data_dir));
  Dataset dataset;
  MTREC_ASSIGN_OR_RETURN(dataset.interactions, ReadRatingsFile(path));
  dataset.path = path.string();
  return dataset;
}

}  // namespace mtrec
