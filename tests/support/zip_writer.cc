#include "support/zip_writer.h"

#include <unistd.h>
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/files.h"

namespace mtrec::testing {

std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& members) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("mtrec-zip-" + std::to_string(::getpid()) + ".zip"))
                               .string();
  std::remove(path.c_str());
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (archive == nullptr) std::abort();
  for (const auto& [name, content] : members) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (source == nullptr || zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      std::abort();
    }
  }
  if (zip_close(archive) != 0) std::abort();  // writes the file; content must live until here
  std::string bytes = ReadFile(path);
  std::remove(path.c_str());
  return bytes;
}

}  // namespace mtrec::testing
