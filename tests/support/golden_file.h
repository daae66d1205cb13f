// Reads the golden fixtures written by reference/make_golden.py: one record per
// line, `NAME COUNT v0 v1 ...`, `#` comments. Values are kept as doubles (every
// float32 value was printed exactly, so casting back to float is lossless).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mtrec/status.h"

namespace mtrec::testing {

class GoldenFile {
 public:
  static Result<GoldenFile> Load(const std::string& path);

  bool Has(const std::string& name) const { return records_.count(name) > 0; }
  // REQUIRES: Has(name). (A missing record fails the calling test via ADD_FAILURE.)
  const std::vector<double>& Get(const std::string& name) const;
  double Scalar(const std::string& name) const { return Get(name).at(0); }
  std::vector<float> Floats(const std::string& name) const;
  std::vector<int> Ints(const std::string& name) const;

 private:
  std::map<std::string, std::vector<double>> records_;
};

// Path of a file under tests/testdata, or under $MTREC_TESTDATA_DIR when set
// (a relocated test binary, scripts/gpu_bundle.sh).
std::string TestDataPath(const std::string& relative);

}  // namespace mtrec::testing
