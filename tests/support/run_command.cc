#include "support/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support/files.h"

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

CommandResult RunProgram(const std::vector<std::string>& argv) {
  char out_path[] = "/tmp/mtrec_out_XXXXXX";
  char err_path[] = "/tmp/mtrec_err_XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  // A harness failure must not read as a program that exited 0 with no output.
  if (out_fd < 0 || err_fd < 0) std::abort();
  CommandResult result;
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    std::vector<char*> cargs;
    for (const std::string& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    ::execvp(cargs[0], cargs.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::close(out_fd);
  ::close(err_fd);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  ::unlink(out_path);
  ::unlink(err_path);
  return result;
}

CommandResult RunMtrec(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MTREC_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

int Spawn(std::vector<std::string> argv, int stdout_fd) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int null_fd = ::open("/dev/null", O_RDWR);
  ::dup2(null_fd, 0);
  ::dup2(stdout_fd >= 0 ? stdout_fd : null_fd, 1);
  ::dup2(null_fd, 2);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int SignalAfterLines(std::vector<std::string> argv, const std::filesystem::path& progress_file,
                     size_t lines, int signal) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (freopen("/dev/null", "w", stdout) == nullptr) ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && ReadLines(progress_file).size() < lines) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace mtrec::testing
