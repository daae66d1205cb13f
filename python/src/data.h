// _mtrec.Data: rows of a data set together with the data set they come from
// (its id maps, titles and path), so that a split's parts and a model trained
// on them translate ids the same way. The Python class mtrec.Interactions
// wraps it.
#pragma once

#include <memory>

#include <pybind11/pybind11.h>

#include "mtrec/dataset.h"
#include "mtrec/interactions.h"

namespace mtrec::python {

struct Data {
  // The whole data set as loaded or built (ids, titles, every row); shared by
  // the parts of its splits.
  std::shared_ptr<const Dataset> source;
  // These rows: the source's own interactions, or a part of a split.
  std::shared_ptr<const Interactions> rows;
  bool integer_user_ids = true;  // Python sees int ids (else str)
  bool integer_item_ids = true;

  // The source's own rows.
  static Data Whole(Dataset dataset);
};

void BindData(pybind11::module_& m);

}  // namespace mtrec::python
