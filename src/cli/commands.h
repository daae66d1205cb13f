// The mtrec subcommands. Each parses its own flags, calls the library, prints
// the result and returns the process exit code: 0 success, 1 a runtime error
// (bad data, I/O), 2 a usage error (unknown flag, value out of range); train and
// sweep also 130 when stopped by Ctrl-C or --max_steps.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

// `message` with its leading configuration field ("learning_rate: ...", as the
// library names fields) spelled as the flag that sets it ("--learning_rate: ...").
std::string FlagMessage(std::string_view message);

// Prints "mtrec <command>: [<context>: ]<message>" (fields as flags, control
// characters escaped: cli/printable.h) and returns the exit code for `s` (2
// for InvalidArgument, 130 for Cancelled, a stop on request, 1 otherwise).
// `context`: e.g. "rank 1 of 2" under MPI.
int CommandFailure(const char* command, const Status& s, std::string_view context = {});

int RunTrain(std::span<const std::string> args);
// Prints `mtrec train`'s flags as the Markdown table of the docs (`mtrec help
// --markdown train`; docs/cli.md holds it between <!-- flags:train --> lines).
void PrintTrainFlagTable();
int RunEvaluate(std::span<const std::string> args);
int RunRecommend(std::span<const std::string> args);
int RunPredict(std::span<const std::string> args);
int RunSweep(std::span<const std::string> args);
int RunServe(std::span<const std::string> args);
// `mtrec help --markdown serve`: the serve flags' table (docs/cli.md, <!-- flags:serve -->).
void PrintServeFlagTable();

}  // namespace mtrec::cli
