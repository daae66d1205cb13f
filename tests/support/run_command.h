// Runs a command (for end-to-end CLI tests) and captures what it printed and
// its exit code.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

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

// Runs any program without a shell (argv[0] looked up in PATH), stdin from
// /dev/null, and waits for it.
CommandResult RunProgram(const std::vector<std::string>& argv);
// Runs the mtrec binary under test with `args`.
CommandResult RunMtrec(const std::vector<std::string>& args);

// Starts `argv` (argv[0] a path) with stdout on `stdout_fd` (-1: /dev/null),
// stderr on /dev/null and stdin from /dev/null, and returns its pid at once.
int Spawn(std::vector<std::string> argv, int stdout_fd = -1);

// Starts `argv` (argv[0] a path; stdout to /dev/null), waits up to 60 s until
// `progress_file` has `lines` lines, sends `signal` and returns the wait status.
int SignalAfterLines(std::vector<std::string> argv, const std::filesystem::path& progress_file,
                     size_t lines, int signal);

}  // namespace mtrec::testing
