#include "data.h"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "arrays.h"
#include "errors.h"
#include "mtrec/config_names.h"

namespace py = pybind11;

namespace mtrec::python {

Data Data::Whole(Dataset dataset) {
  Data d;
  auto source = std::make_shared<Dataset>(std::move(dataset));
  d.rows = std::shared_ptr<const Interactions>(source, &source->interactions);
  d.integer_user_ids = HasIntegerIds(source->users);
  d.integer_item_ids = HasIntegerIds(source->items);
  d.source = std::move(source);
  return d;
}

namespace {

// `status` with its message naming the argument first, once.
Status Named(const Status& status, const std::string& name) {
  if (status.ok() || status.message().starts_with(name + ":")) return status;
  return status.WithContext(name);
}

// How load_dataset and load_split read files (the CLI's data flags).
DataConfig ReadingConfig(const std::optional<std::string>& data_dir,
                         const std::optional<std::string>& format,
                         const std::optional<std::string>& columns, std::optional<bool> remap_ids,
                         const std::string& duplicates, int threads) {
  DataConfig config;
  if (data_dir) config.data_dir = *data_dir;
  if (format) ThrowIfError(Named(ParseFormatFlag(*format, &config.format), "format"));
  if (columns) ThrowIfError(Named(ParseColumnsFlag(*columns, &config.format), "columns"));
  if (remap_ids) config.ids = *remap_ids ? IdPolicy::kRemap : IdPolicy::kRaw;
  config.duplicates = ValueOrThrow(ParseDuplicatePolicy(duplicates));
  config.threads = threads;
  return config;
}

Data LoadData(const std::string& dataset, const std::optional<std::string>& data_dir,
              const std::optional<std::string>& format, const std::optional<std::string>& columns,
              std::optional<bool> remap_ids, const std::string& duplicates, int threads) {
  DataConfig config = ReadingConfig(data_dir, format, columns, remap_ids, duplicates, threads);
  config.dataset = dataset;
  Result<Dataset> loaded = Status::Unavailable("not loaded");
  {
    py::gil_scoped_release release;
    loaded = LoadDataset(config);
  }
  return Data::Whole(ValueOrThrow(std::move(loaded)));
}

// (train, validation or None, test) of a predefined split, in one id space.
py::tuple LoadSplit(const std::string& train_path, const std::string& test_path,
                    const std::optional<std::string>& validation_path,
                    const std::optional<std::string>& data_dir,
                    const std::optional<std::string>& format,
                    const std::optional<std::string>& columns, std::optional<bool> remap_ids,
                    const std::string& duplicates, int threads) {
  DataConfig config = ReadingConfig(data_dir, format, columns, remap_ids, duplicates, threads);
  config.train_path = train_path;
  config.test_path = test_path;
  if (validation_path) config.validation_path = *validation_path;
  Result<SplitDataset> loaded = [&config] {
    py::gil_scoped_release release;
    return LoadSplitDataset(config);
  }();
  ThrowIfError(loaded.status());
  SplitDataset split = std::move(loaded).value();
  const Data whole = Data::Whole(std::move(split.dataset));
  const auto part = [&whole](Interactions rows) {
    Data d = whole;
    d.rows = std::make_shared<const Interactions>(std::move(rows));
    return d;
  };
  py::object validation = py::none();
  if (validation_path) validation = py::cast(part(std::move(split.validation)));
  return py::make_tuple(part(std::move(split.train)), validation, part(std::move(split.test)));
}

Data FromArrays(py::handle users, py::handle items, py::handle ratings, py::handle timestamps,
                bool raw_ids) {
  const IntColumn u = ReadIntColumn(users, "users");
  const IntColumn i = ReadIntColumn(items, "items");
  FloatColumn r;
  if (!ratings.is_none()) r = ReadFloatColumn(ratings, "ratings");
  Int64Column t;
  if (!timestamps.is_none()) t = ReadInt64Column(timestamps, "timestamps");
  const IdPolicy ids = raw_ids ? IdPolicy::kRaw : IdPolicy::kRemap;
  Result<Dataset> made = Status::Unavailable("not made");
  {
    py::gil_scoped_release release;
    if (!u.int32.empty() && !i.int32.empty()) {
      made = DatasetFromArrays(u.int32, i.int32, r.values, t.values, ids);
    } else {
      // Mixed widths: both as int64 (the int32 one converted).
      auto wide = [](const IntColumn& c) {
        return c.int32.empty() ? std::vector<int64_t>(c.int64.begin(), c.int64.end())
                               : std::vector<int64_t>(c.int32.begin(), c.int32.end());
      };
      if (!u.int64.empty() && !i.int64.empty()) {
        made = DatasetFromArrays(u.int64, i.int64, r.values, t.values, ids);
      } else {
        made = DatasetFromArrays(wide(u), wide(i), r.values, t.values, ids);
      }
    }
  }
  return Data::Whole(ValueOrThrow(std::move(made)));
}

Data FromStrings(const std::vector<std::string>& users, const std::vector<std::string>& items,
                 py::handle ratings, py::handle timestamps) {
  FloatColumn r;
  if (!ratings.is_none()) r = ReadFloatColumn(ratings, "ratings");
  Int64Column t;
  if (!timestamps.is_none()) t = ReadInt64Column(timestamps, "timestamps");
  Result<Dataset> made = Status::Unavailable("not made");
  {
    py::gil_scoped_release release;
    made = DatasetFromStrings(users, items, r.values, t.values);
  }
  return Data::Whole(ValueOrThrow(std::move(made)));
}

py::tuple Split(const Data& data, double test_fraction, uint32_t seed) {
  Result<TrainTestSplit> split = Status::Unavailable("not split");
  {
    py::gil_scoped_release release;
    split = SplitInteractions(*data.rows, test_fraction, seed);
  }
  TrainTestSplit parts = ValueOrThrow(std::move(split));
  Data train = data, test = data;
  train.rows = std::make_shared<const Interactions>(std::move(parts.train));
  test.rows = std::make_shared<const Interactions>(std::move(parts.test));
  return py::make_tuple(std::move(train), std::move(test));
}

}  // namespace

void BindData(py::module_& m) {
  py::class_<Data>(m, "Data", "Rows of a data set with the ids of the data set they come from.")
      .def("__len__", [](const Data& d) { return d.rows->size(); })
      .def_property_readonly("num_users", [](const Data& d) { return d.rows->num_users; })
      .def_property_readonly("num_items", [](const Data& d) { return d.rows->num_items; })
      .def_property_readonly(
          "user_rows", [](const Data& d) { return ToNumpy<int32_t>(d.rows->users); })
      .def_property_readonly(
          "item_rows", [](const Data& d) { return ToNumpy<int32_t>(d.rows->items); })
      .def_property_readonly("ratings", [](const Data& d) { return ToNumpy<float>(d.rows->ratings); })
      .def_property_readonly("timestamps",
                             [](const Data& d) { return ToNumpy<int64_t>(d.rows->timestamps); })
      .def_property_readonly(
          "user_ids", [](const Data& d) { return RowIds(d.source->users, d.integer_user_ids); })
      .def_property_readonly(
          "item_ids", [](const Data& d) { return RowIds(d.source->items, d.integer_item_ids); })
      .def_property_readonly("item_titles", [](const Data& d) { return d.source->item_titles; })
      .def_property_readonly("path", [](const Data& d) { return d.source->path; })
      .def_property_readonly("movielens", [](const Data& d) { return d.source->movielens; })
      .def("same_source", [](const Data& a, const Data& b) { return a.source == b.source; });

  m.def("load_dataset", &LoadData, py::arg("dataset"), py::arg("data_dir") = py::none(),
        py::arg("format") = py::none(), py::arg("columns") = py::none(),
        py::arg("remap_ids") = py::none(), py::arg("duplicates") = "keep", py::arg("threads") = 0);
  m.def("load_split", &LoadSplit, py::arg("train_path"), py::arg("test_path"),
        py::arg("validation_path") = py::none(), py::arg("data_dir") = py::none(),
        py::arg("format") = py::none(), py::arg("columns") = py::none(),
        py::arg("remap_ids") = py::none(), py::arg("duplicates") = "keep", py::arg("threads") = 0);
  m.def("from_arrays", &FromArrays, py::arg("users"), py::arg("items"),
        py::arg("ratings") = py::none(), py::arg("timestamps") = py::none(),
        py::arg("raw_ids") = false);
  m.def("from_strings", &FromStrings, py::arg("users"), py::arg("items"),
        py::arg("ratings") = py::none(), py::arg("timestamps") = py::none());
  m.def("split", &Split, py::arg("data"), py::arg("test_fraction"), py::arg("seed"));
}

}  // namespace mtrec::python
