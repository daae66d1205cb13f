// Whole-file reads and writes for tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mtrec::testing {

// The file's bytes ("" if it does not exist).
std::string ReadFile(const std::filesystem::path& path);
// The file's non-empty lines.
std::vector<std::string> ReadLines(const std::filesystem::path& path);
// Writes `bytes` to `path`; aborts the test run on failure.
void WriteFile(const std::filesystem::path& path, const std::string& bytes);

// The number of '\n' in `text`.
inline int CountLines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// A run folder's metrics.jsonl, one JSON line per epoch without the timings
// (train_seconds, eval_seconds), which differ from run to run.
std::vector<std::string> MetricsWithoutTimes(const std::filesystem::path& run_dir);

}  // namespace mtrec::testing
