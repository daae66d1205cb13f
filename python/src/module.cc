// The extension module _mtrec: the C++ engine for the Python package mtrec
// (python/mtrec/__init__.py is the public API; this module is its engine).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "data.h"
#include "errors.h"
#include "model.h"
#include "mtrec/config_names.h"

namespace py = pybind11;

PYBIND11_MODULE(_mtrec, m) {
  m.doc() = "mtrec's C++ engine (use the mtrec package, not this module)";
  m.attr("__version__") = MTREC_VERSION;
  py::register_exception<mtrec::python::Error>(m, "Error", PyExc_RuntimeError);
  m.def("devices", [] { return mtrec::BackendNames(); }, "The compute backends of this build.");
  mtrec::python::BindData(m);
  mtrec::python::BindModel(m);
}
