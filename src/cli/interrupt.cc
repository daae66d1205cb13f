#include "cli/interrupt.h"

#include <csignal>

namespace mtrec::cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_second_quits{true};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set in a signal handler");

void OnSignal(int signal) {
  if (g_stop.exchange(true) && g_second_quits.load()) {  // the second time: give up waiting
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
}

}  // namespace

const std::atomic<bool>& InstallInterruptHandler(bool second_quits) {
  g_second_quits.store(second_quits);
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
  return g_stop;
}

}  // namespace mtrec::cli
