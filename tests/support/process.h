// Running the mtrec binary (or any command) from a test and capturing its output.
#pragma once

#include <string>

namespace mtrec::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `command` through /bin/sh. REQUIRES: the command does not redirect its own output.
CommandResult RunCommand(const std::string& command);

// The mtrec binary under test, quoted for the shell.
std::string MtrecBinary();

// Reads a whole file ("" if it does not exist).
std::string ReadFile(const std::string& path);

}  // namespace mtrec::testing
