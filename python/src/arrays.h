// numpy in and out: read-only views of the caller's arrays (no copy when they
// are contiguous and of the engine's type), new arrays for results, and the
// translation between a data set's own ids and the model's table rows.
//
// REQUIRES: the GIL is held for every function here. A view's span stays
// valid while the view lives (it keeps the array alive), also with the GIL
// released.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/id_map.h"
#include "mtrec/status.h"

namespace mtrec::python {

namespace py = pybind11;

// A 1-D integer column: int32 or int64 data read in place, anything else
// (other integer widths, lists) converted to int64 once.
struct IntColumn {
  py::array array;  // keeps the data alive
  std::span<const int32_t> int32;
  std::span<const int64_t> int64;  // exactly one of the two is set
  size_t size() const { return int32.empty() ? int64.size() : int32.size(); }
};
// ValueError naming `name` for another shape; TypeError for non-integers.
IntColumn ReadIntColumn(py::handle values, const char* name);

// A 1-D float32 column (read in place when float32 and contiguous).
struct FloatColumn {
  py::array_t<float> array;
  std::span<const float> values;
};
FloatColumn ReadFloatColumn(py::handle values, const char* name);

// A 1-D int64 column (timestamps).
struct Int64Column {
  py::array_t<int64_t> array;
  std::span<const int64_t> values;
};
Int64Column ReadInt64Column(py::handle values, const char* name);

// New numpy arrays holding a copy of `values`.
template <class T>
py::array_t<T> ToNumpy(std::span<const T> values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// Whether every id of `map` is an integer (so Python sees ints, not str).
bool HasIntegerIds(const IdMap& map);

// The own id of every row: an int64 array when integer_ids, else an object
// array of str.
py::array RowIds(const IdMap& map, bool integer_ids);

// The rows of the ids in `ids` (one id, or a sequence/array of them), and
// whether `ids` was a single id. Each id is looked up by `find` (the model's
// FindUser or FindItem: the library's one check of an id); KeyError carries
// its message for the first id it refuses ("user '99' is not in the model
// (943 rows)"); `what` is "user" or "item".
struct Rows {
  std::vector<int32_t> rows;
  bool scalar = false;
};
using FindRow = std::function<Result<int32_t>(std::string_view)>;
Rows RowsOf(const FindRow& find, py::handle ids, const char* what);

}  // namespace mtrec::python
