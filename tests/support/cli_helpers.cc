#include "support/cli_helpers.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

namespace mtrec::testing {

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mtrec_test_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteGroupedRatings(const std::filesystem::path& dir, int users, int items, int per_user,
                         uint32_t seed) {
  std::mt19937 gen(seed);
  std::ofstream out(dir / "u.data");
  for (int u = 1; u <= users; ++u) {
    const bool first_half = u <= users / 2;
    std::set<int> chosen;
    while (static_cast<int>(chosen.size()) < per_user) {
      // 80% of a user's items come from its own group.
      const bool own = gen() % 10 < 8;
      const int half = items / 2;
      const int offset = (own == first_half) ? 1 : half + 1;
      chosen.insert(offset + static_cast<int>(gen() % static_cast<uint32_t>(half)));
    }
    for (int i : chosen) {
      const bool liked = (i <= items / 2) == first_half;
      const int rating = liked ? 4 + static_cast<int>(gen() % 2) : 1 + static_cast<int>(gen() % 2);
      out << u << '\t' << i << '\t' << rating << '\t' << 880000000 + u * 1000 + i << '\n';
    }
  }
  std::ofstream titles(dir / "u.item", std::ios::binary);
  for (int i = 1; i <= items; ++i) {
    titles << i << "|Movie " << i << " caf\xe9 (1990)|01-Jan-1990||http://x|0|1\n";
  }
}

CommandResult RunProgram(const std::vector<std::string>& argv) {
  char out_path[] = "/tmp/mtrec_out_XXXXXX";
  char err_path[] = "/tmp/mtrec_err_XXXXXX";
  const int out_fd = ::mkstemp(out_path);
  const int err_fd = ::mkstemp(err_path);
  CommandResult result;
  const pid_t pid = ::fork();
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

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace mtrec::testing
