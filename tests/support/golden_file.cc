#include "support/golden_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mtrec::testing {

Result<GoldenFile> GoldenFile::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot open");
  GoldenFile file;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    size_t count = 0;
    if (!(fields >> name >> count)) {
      return Status::Corruption(path + ":" + std::to_string(line_no) + ": expected NAME COUNT");
    }
    std::vector<double> values(count);
    for (double& v : values) {
      if (!(fields >> v)) {
        return Status::Corruption(path + ":" + std::to_string(line_no) + ": too few values");
      }
    }
    file.records_[name] = std::move(values);
  }
  return file;
}

const std::vector<double>& GoldenFile::Get(const std::string& name) const {
  static const std::vector<double> kEmpty;
  auto it = records_.find(name);
  if (it == records_.end()) {
    ADD_FAILURE() << "golden record '" << name << "' is missing";
    return kEmpty;
  }
  return it->second;
}

std::vector<float> GoldenFile::Floats(const std::string& name) const {
  const auto& v = Get(name);
  return std::vector<float>(v.begin(), v.end());
}

std::vector<int> GoldenFile::Ints(const std::string& name) const {
  const auto& v = Get(name);
  std::vector<int> out;
  out.reserve(v.size());
  for (double x : v) out.push_back(static_cast<int>(x));
  return out;
}

std::string TestDataPath(const std::string& relative) {
  // A relocated test binary (scripts/gpu_bundle.sh) is told where the fixtures are.
  const char* dir = std::getenv("MTREC_TESTDATA_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : MTREC_TESTDATA_DIR) + "/" + relative;
}

}  // namespace mtrec::testing
