// Ctrl-C during a long call that runs with the GIL released (Model.fit).
//
// Python's own SIGINT handler only records the signal for the interpreter,
// which runs the Python-level handler when it next executes bytecode: never,
// while C++ trains. While an InterruptGuard lives, SIGINT instead sets a stop
// flag the training loop reads after every step. When the guard ends, the
// previous handler is restored and, if SIGINT arrived, Python is told as if
// it arrived now (PyErr_SetInterrupt), so its handler runs: by default it
// raises KeyboardInterrupt.
//
// Only the main thread installs the handler (Python delivers signals there);
// elsewhere the guard does nothing. REQUIRES: the GIL is held when the guard
// is made and destroyed; at most one guard lives at a time.
#pragma once

#include <atomic>
#include <csignal>

namespace mtrec::python {

class InterruptGuard {
 public:
  explicit InterruptGuard(std::atomic<bool>* stop);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // Restores the previous handler (once); true if SIGINT arrived meanwhile, in
  // which case Python's handler has been scheduled (PyErr_SetInterrupt).
  bool Release();

 private:
  bool installed_ = false;
  struct sigaction previous_ {};
};

}  // namespace mtrec::python
