#include "support/files.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

namespace mtrec::testing {

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

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();
}

std::vector<std::string> MetricsWithoutTimes(const std::filesystem::path& run_dir) {
  std::vector<std::string> out;
  for (const std::string& line : ReadLines(run_dir / "metrics.jsonl")) {
    auto j = nlohmann::json::parse(line);
    j.erase("train_seconds");
    j.erase("eval_seconds");
    out.push_back(j.dump());
  }
  return out;
}

}  // namespace mtrec::testing
