#include "support/run_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "support/zip_writer.h"

namespace mtrec::testing {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult RunCommand(const std::string& command) {
  static int counter = 0;
  const std::string base =
      (std::filesystem::temp_directory_path() /
       ("mtrec-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
          .string();
  const std::string full = "(" + command + ") </dev/null >" + ShellQuote(base + ".out") + " 2>" +
                           ShellQuote(base + ".err");
  const int status = std::system(full.c_str());
  CommandResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  result.out = ReadFile(base + ".out");
  result.err = ReadFile(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return result;
}

std::string MtrecBinary() { return MTREC_CLI_PATH; }

}  // namespace mtrec::testing
