// Runs a shell command line (for end-to-end CLI tests) and captures what it
// printed and its exit code.
#pragma once

#include <string>

namespace mtrec::testing {

struct CommandResult {
  int exit_code = -1;  // the process's exit status; 128+N if killed by signal N
  std::string out;     // stdout
  std::string err;     // stderr
};

// Runs `command` with /bin/sh -c, stdin from /dev/null.
CommandResult RunCommand(const std::string& command);

// Quotes `s` for the shell.
std::string ShellQuote(const std::string& s);

// The mtrec binary under test (MTREC_CLI_PATH).
std::string MtrecBinary();

}  // namespace mtrec::testing
