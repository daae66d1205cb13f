#include "arrays.h"

#include <charconv>
#include <string_view>

#include "errors.h"

namespace mtrec::python {

namespace {

// `values` as a 1-D array; ValueError naming `name` otherwise.
void CheckOneDimensional(const py::array& a, const char* name) {
  if (a.ndim() != 1) {
    std::string shape;
    for (py::ssize_t k = 0; k < a.ndim(); ++k)
      shape += (k ? ", " : "") + std::to_string(a.shape(k));
    throw py::value_error(std::string(name) + ": expected a 1-D array, got shape (" + shape + ")");
  }
}

template <class T>
py::array_t<T> AsContiguous(py::handle values, const char* name) {
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(std::string(name) + ": expected an array of numbers, got " +
                         std::string(py::str(py::type::of(values).attr("__name__"))));
  }
  CheckOneDimensional(a, name);
  return a;
}

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  // Canonical only: "42", "-7"; not "042", "+1", "4 2".
  if (ec != std::errc() || ptr != end) return false;
  const size_t digits_start = text[0] == '-' ? 1 : 0;
  return text.size() == digits_start + 1 || text[digits_start] != '0';
}

// An id as the text the library looks up: a str as it is, an integer in
// decimal. TypeError naming `name` ("user_ids") for anything else, ValueError
// for an integer beyond int64 (ids are int64).
std::string IdText(py::handle id, const std::string& name) {
  if (py::isinstance<py::str>(id)) return id.cast<std::string>();
  const std::string type = py::str(py::type::of(id).attr("__name__"));
  if (py::isinstance<py::bool_>(id) || type == "bool_" || type == "bool" ||
      !py::hasattr(id, "__index__")) {
    throw py::type_error(name + ": ids must be int or str, got " + type);
  }
  PyObject* integer = PyNumber_Index(id.ptr());
  if (integer == nullptr) throw py::error_already_set();
  const auto value = py::reinterpret_steal<py::object>(integer);
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow != 0) {
    throw py::value_error(name +
                          ": expected an integer in [-9223372036854775808, "
                          "9223372036854775807], got " +
                          std::string(py::str(value)));
  }
  return std::to_string(v);
}

}  // namespace

IntColumn ReadIntColumn(py::handle values, const char* name) {
  IntColumn out;
  if (py::isinstance<py::array>(values)) {
    auto a = py::reinterpret_borrow<py::array>(values);
    const bool contiguous = (a.flags() & py::array::c_style) != 0;
    if (contiguous && a.ndim() == 1 && py::isinstance<py::array_t<int32_t>>(a)) {
      out.array = a;
      out.int32 = {static_cast<const int32_t*>(a.data()), static_cast<size_t>(a.size())};
      return out;
    }
    if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u') {
      throw py::type_error(std::string(name) + ": expected integer ids, got an array of dtype " +
                           std::string(py::str(a.dtype())));
    }
  } else if (py::isinstance<py::iterable>(values) && !py::isinstance<py::str>(values)) {
    // A list or tuple: its elements must be integers too (1.5 would be
    // truncated to 1, merging two ids; True is no id).
    for (py::handle v : py::iter(values)) {
      if (py::isinstance<py::bool_>(v) || !py::hasattr(v, "__index__")) {
        throw py::type_error(std::string(name) + ": expected integer ids, got " +
                             std::string(py::str(py::repr(v))) + " (" +
                             std::string(py::str(py::type::of(v).attr("__name__"))) + ")");
      }
    }
  }
  py::array_t<int64_t> a = AsContiguous<int64_t>(values, name);
  out.array = a;
  out.int64 = {a.data(), static_cast<size_t>(a.size())};
  return out;
}

FloatColumn ReadFloatColumn(py::handle values, const char* name) {
  FloatColumn out;
  out.array = AsContiguous<float>(values, name);
  out.values = {out.array.data(), static_cast<size_t>(out.array.size())};
  return out;
}

Int64Column ReadInt64Column(py::handle values, const char* name) {
  Int64Column out;
  out.array = AsContiguous<int64_t>(values, name);
  out.values = {out.array.data(), static_cast<size_t>(out.array.size())};
  return out;
}

bool HasIntegerIds(const IdMap& map) {
  if (map.is_identity()) return true;
  int64_t value = 0;
  for (int32_t k = 0; k < map.size(); ++k) {
    if (!ParseInt64(map.Name(k), &value)) return false;
  }
  return true;
}

py::array RowIds(const IdMap& map, bool integer_ids) {
  const int32_t n = map.size();
  if (integer_ids) {
    py::array_t<int64_t> out(n);
    int64_t* data = out.mutable_data();
    for (int32_t k = 0; k < n; ++k) {
      if (map.is_identity()) {
        data[k] = k;
      } else {
        ParseInt64(map.Name(k), &data[k]);
      }
    }
    return out;
  }
  py::list names(n);
  for (int32_t k = 0; k < n; ++k) names[k] = py::str(map.Name(k));
  py::array out = py::module_::import("numpy").attr("array")(names, py::arg("dtype") = "O");
  return out;
}

Rows RowsOf(const FindRow& find, py::handle ids, const char* what) {
  const std::string name = std::string(what) + "_ids";
  Rows out;
  auto lookup = [&](const std::string& text) {
    Result<int32_t> row = find(text);
    if (!row.ok()) ThrowKeyError(row.status().message());
    out.rows.push_back(*row);
  };
  if (py::isinstance<py::str>(ids) || !py::isinstance<py::iterable>(ids)) {
    out.scalar = true;
    lookup(IdText(ids, name));
    return out;
  }
  if (py::isinstance<py::array>(ids)) {
    auto a = py::reinterpret_borrow<py::array>(ids);
    if (a.ndim() != 1) {
      throw py::value_error(std::string(what) + "_ids: expected a 1-D array of ids");
    }
    if (a.dtype().kind() == 'i' || a.dtype().kind() == 'u') {
      auto ints = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
      out.rows.reserve(static_cast<size_t>(ints.size()));
      for (py::ssize_t k = 0; k < ints.size(); ++k) lookup(std::to_string(ints.data()[k]));
      return out;
    }
  }
  for (py::handle id : ids) lookup(IdText(id, name));
  return out;
}

}  // namespace mtrec::python
