// The README's CLI session runs as written, on generated data, so it cannot rot.
// The session is the fenced block right after the line `<!-- test:cli -->` in
// README.md. Its commands run in order in a fresh folder, with these
// substitutions (docs/testing.md): `build/mtrec` is the binary under test,
// `--dataset ml-100k` a generated MovieLens-layout u.data (with u.item titles),
// and every `--epochs N` is capped at 2. Each command must exit 0 and print
// nothing on stderr except the CLI's notes (`mtrec <command>: note: ...`).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::ShellQuote;
using testing::TempDir;

constexpr int kMaxEpochs = 2;

std::filesystem::path ReadmePath() {
  return std::filesystem::path(MTREC_TESTDATA_DIR).parent_path().parent_path() / "README.md";
}

// The commands of the fenced block that follows `marker`: continuation lines
// (ending in a backslash) joined, blank lines and comment lines left out.
std::vector<std::string> SessionCommands(const std::string& readme, const std::string& marker) {
  std::istringstream in(readme);
  std::string line;
  while (std::getline(in, line) && line != marker) {
  }
  std::vector<std::string> commands;
  if (!std::getline(in, line) || line.rfind("```", 0) != 0) return commands;
  std::string pending;
  while (std::getline(in, line) && line.rfind("```", 0) != 0) {
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1);
      continue;
    }
    pending += line;
    const size_t first = pending.find_first_not_of(' ');
    if (first != std::string::npos && pending[first] != '#') commands.push_back(pending);
    pending.clear();
  }
  return commands;
}

// The README's command with the test's substitutions.
std::string Substitute(std::string command, const std::string& data) {
  command = std::regex_replace(command, std::regex("^build/mtrec "),
                               ShellQuote(testing::MtrecBinary()) + " ");
  command = std::regex_replace(command, std::regex("--dataset ml-100k\\b"),
                               "--dataset " + ShellQuote(data));
  std::string out;
  const std::regex epochs("--epochs (\\d+)");
  auto begin = std::sregex_iterator(command.begin(), command.end(), epochs);
  size_t done = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += command.substr(done, static_cast<size_t>(it->position()) - done);
    out += "--epochs " + std::to_string(std::min(std::stoi((*it)[1]), kMaxEpochs));
    done = static_cast<size_t>(it->position() + it->length());
  }
  return out + command.substr(done);
}

// Lines on stderr other than the CLI's notes.
std::vector<std::string> ErrorLines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find(": note: ") == std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(ReadmeSession, SubstitutionsFollowTheDocumentedRule) {
  const std::string got =
      Substitute("build/mtrec train --dataset ml-100k --epochs 200 --epochs 1", "/d/u.data");
  EXPECT_EQ(got, ShellQuote(testing::MtrecBinary()) +
                     " train --dataset '/d/u.data' --epochs 2 --epochs 1");
}

TEST(ReadmeSession, CliSessionRunsAsWritten) {
  const std::vector<std::string> commands =
      SessionCommands(testing::ReadFile(ReadmePath()), "<!-- test:cli -->");
  // The session trains, evaluates, recommends and predicts at least.
  ASSERT_GE(commands.size(), 4u) << "no `<!-- test:cli -->` session in " << ReadmePath();

  TempDir tmp;
  const std::filesystem::path data_dir = tmp.path() / "data";
  std::filesystem::create_directories(data_dir);
  testing::WriteGroupedRatings(data_dir, 200, 400, 40, 3);
  const std::filesystem::path work = tmp.path() / "work";
  std::filesystem::create_directories(work);

  for (const std::string& readme_command : commands) {
    const std::string command = Substitute(readme_command, (data_dir / "u.data").string());
    SCOPED_TRACE(readme_command);
    const testing::CommandResult r =
        testing::RunCommand("cd " + ShellQuote(work.string()) + " && " + command);
    ASSERT_EQ(r.exit_code, 0) << command << "\nstderr:\n" << r.err;
    EXPECT_TRUE(ErrorLines(r.err).empty()) << command << "\nstderr:\n" << r.err;
    EXPECT_FALSE(r.out.empty()) << command << " printed nothing";
  }
}

}  // namespace
}  // namespace mtrec
