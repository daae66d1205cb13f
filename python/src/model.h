// _mtrec.Model: a mtrec::Model with the ids of the data it was made from. The
// Python class mtrec.MultitaskModel wraps it.
#pragma once

#include <pybind11/pybind11.h>

namespace mtrec::python {

void BindModel(pybind11::module_& m);

}  // namespace mtrec::python
