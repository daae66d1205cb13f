#include "mtrec/report/run_files.h"

#include "mtrec/io/atomic_file.h"

namespace mtrec {

bool IsRunFileName(std::string_view name, bool marked) {
  for (std::string_view f : kTrainRunFiles) {
    if (name == f) return true;
  }
  for (std::string_view f : kSweepFiles) {
    if (marked && name == f) return true;
  }
  return name.starts_with(kEventFilePrefix);
}

bool IsRunTempFileName(std::string_view name, bool marked) {
  for (std::string_view f : kTrainRunFiles) {
    if (IsTempFileOf(name, f)) return true;
  }
  for (std::string_view f : kSweepFiles) {
    if (marked && IsTempFileOf(name, f)) return true;
  }
  return false;
}

}  // namespace mtrec
