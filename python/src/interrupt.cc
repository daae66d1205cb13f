#include "interrupt.h"

#include <Python.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace mtrec::python {

namespace {

std::atomic<std::atomic<bool>*> g_stop{nullptr};
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void OnInterrupt(int /*signal*/) {
  g_interrupted = 1;
  std::atomic<bool>* stop = g_stop.load();
  if (stop != nullptr) stop->store(true);
}

bool OnMainThread() {
  py::module_ threading = py::module_::import("threading");
  return threading.attr("current_thread")().is(threading.attr("main_thread")());
}

}  // namespace

InterruptGuard::InterruptGuard(std::atomic<bool>* stop) {
  if (!OnMainThread()) return;
  g_interrupted = 0;
  g_stop.store(stop);
  struct sigaction action {};
  action.sa_handler = &OnInterrupt;
  sigemptyset(&action.sa_mask);
  installed_ = sigaction(SIGINT, &action, &previous_) == 0;
  if (!installed_) g_stop.store(nullptr);
}

bool InterruptGuard::Release() {
  if (!installed_) return false;
  installed_ = false;
  sigaction(SIGINT, &previous_, nullptr);
  g_stop.store(nullptr);
  if (g_interrupted == 0) return false;
  PyErr_SetInterrupt();
  return true;
}

InterruptGuard::~InterruptGuard() { Release(); }

}  // namespace mtrec::python
