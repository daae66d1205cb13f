#include "cli/commands.h"

#include <cstdio>

namespace mtrec::cli {

int CommandFailure(const char* command, const Status& s) {
  std::fprintf(stderr, "mtrec %s: %s\n", command, s.message().c_str());
  return s.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitRuntimeError;
}

}  // namespace mtrec::cli
