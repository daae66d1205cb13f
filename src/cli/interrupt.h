// Ctrl-C handling for long commands: the first SIGINT (or SIGTERM, or SIGHUP:
// the terminal was closed) sets a flag that the library polls between
// optimiser steps, so training stops cleanly after the current step (and saves
// its checkpoint); a second one ends the process at once. SIGPIPE is ignored:
// output to a closed pipe (`mtrec train | head`) or terminal is dropped and
// training goes on.
#pragma once

#include <atomic>

namespace mtrec::cli {

// Installs the handlers (idempotent) and returns the flag they set. With
// second_quits false, later signals change nothing: under mpirun, whose Ctrl-C
// reaches a rank twice (SIGINT from the terminal, then mpirun's SIGTERM), and
// which itself sends SIGKILL if the job has not ended a little later
// (--mca odls_base_sigkill_timeout, 1 s by default).
const std::atomic<bool>& InstallInterruptHandler(bool second_quits = true);

// The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
inline constexpr int kExitInterrupted = 130;

}  // namespace mtrec::cli
