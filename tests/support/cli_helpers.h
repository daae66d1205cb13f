// Helpers for end-to-end tests of the mtrec executable: a scratch folder, a
// generated data set, and running a command with its output captured.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mtrec::testing {

// A fresh empty folder under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Writes a u.data-style file (user item rating timestamp, raw 1-based ids) with
// two taste groups: users 1..users/2 rate items 1..items/2 high and the others
// low, and the reverse for the other half, so a model can learn something in
// a few epochs. `per_user` distinct items per user, deterministic in `seed`.
// Also writes u.item (Latin-1 titles "Movie <id> caf\xe9 (1990)") beside it.
void WriteGroupedRatings(const std::filesystem::path& dir, int users, int items, int per_user,
                         uint32_t seed);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs MTREC_CLI_PATH with `args` (no shell) and waits for it.
CommandResult RunMtrec(const std::vector<std::string>& args);
// Runs any program (argv[0] looked up in PATH).
CommandResult RunProgram(const std::vector<std::string>& argv);

std::string ReadFile(const std::filesystem::path& path);
std::vector<std::string> ReadLines(const std::filesystem::path& path);

}  // namespace mtrec::testing
