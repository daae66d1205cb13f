// The mtrec subcommands. Each parses its own flags, calls the library, prints
// the result and returns the process exit code: 0 success, 1 a runtime error
// (bad data, I/O), 2 a usage error (unknown flag, value out of range).
#pragma once

#include <span>
#include <string>

namespace mtrec::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsage = 2;

int RunTrain(std::span<const std::string> args);
int RunEvaluate(std::span<const std::string> args);
int RunRecommend(std::span<const std::string> args);
int RunPredict(std::span<const std::string> args);
int RunSweep(std::span<const std::string> args);

}  // namespace mtrec::cli
