// Ctrl-C handling for long commands: the first SIGINT (or SIGTERM) sets a flag
// that the library polls between optimiser steps, so training stops cleanly
// after the current step; a second one ends the process at once.
#pragma once

#include <atomic>

namespace mtrec::cli {

// Installs the handlers (idempotent) and returns the flag they set.
const std::atomic<bool>& InstallInterruptHandler();

// The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
inline constexpr int kExitInterrupted = 130;

}  // namespace mtrec::cli
