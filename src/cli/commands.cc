#include "cli/commands.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "cli/interrupt.h"
#include "cli/printable.h"
#include "mtrec/config_schema.h"

namespace mtrec::cli {

namespace {

// Words the library's messages start with that are flags but not
// configuration fields (mtrec/config_schema.h names those): the data set's
// and the commands' own.
constexpr std::string_view kOtherFlags[] = {"format",   "columns",   "duplicates", "dataset",
                                            "data_dir", "save_best", "resume",     "ratings"};

}  // namespace

std::string FlagMessage(std::string_view message) {
  const size_t end = message.find_first_of(": ");
  if (end == std::string_view::npos) return std::string(message);
  const std::string_view word = message.substr(0, end);
  const std::string rest(message.substr(end));
  if (const ConfigField* f = FindConfigField(word); f != nullptr && f->flag != nullptr) {
    return "--" + std::string(f->flag) + rest;
  }
  for (std::string_view flag : kOtherFlags) {
    if (word == flag) return "--" + std::string(message);
  }
  return std::string(message);
}

int CommandFailure(const char* command, const Status& s, std::string_view context) {
  const std::string prefix = context.empty() ? "" : std::string(context) + ": ";
  std::fprintf(stderr, "mtrec %s: %s%s\n", command, prefix.c_str(),
               Printable(FlagMessage(s.message())).c_str());
  // Cancelled: stopped on request before there was a result (train's Ctrl-C
  // while --rating_l2_grid's trials run).
  if (s.code() == Status::Code::kCancelled) return kExitInterrupted;
  return s.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitRuntimeError;
}

}  // namespace mtrec::cli
