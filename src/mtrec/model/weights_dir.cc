#include "mtrec/model/weights_dir.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mtrec/io/atomic_file.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

static_assert(std::endian::native == std::endian::little,
              "weights files are little-endian; add byte swapping for this platform");

Status LoadWeightsDir(const std::filesystem::path& dir, MultiTaskNet& net) {
  const std::filesystem::path manifest_path = dir / "manifest.txt";
  std::ifstream manifest(manifest_path);
  if (!manifest) return Status::NotFound(manifest_path.string() + ": cannot open for reading");
  const ParameterLayout& layout = net.layout();
  std::set<std::string> seen;
  std::string line;
  int line_no = 0;
  while (std::getline(manifest, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = manifest_path.string() + ":" + std::to_string(line_no);
    std::istringstream fields(line);
    std::string name, extra;
    int64_t rows = -1, cols = -1;
    if (!(fields >> name >> rows >> cols) || (fields >> extra)) {
      return Status::Corruption(where + ": expected `name rows cols`");
    }
    const int index = layout.Find(name);
    if (index < 0) {
      return Status::InvalidArgument(where + ": the model has no parameter '" + name +
                                     "' (check --no_shared_embeddings/--user_bias)");
    }
    const ParamBlock& block = layout.block(index);
    if (rows != block.rows || cols != block.cols) {
      return Status::InvalidArgument(where + ": '" + name + "' is " + std::to_string(rows) + "x" +
                                     std::to_string(cols) + ", the model expects " +
                                     std::to_string(block.rows) + "x" + std::to_string(block.cols));
    }
    const std::filesystem::path data_path = dir / (name + ".f32");
    std::ifstream data(data_path, std::ios::binary);
    if (!data) return Status::NotFound(data_path.string() + ": cannot open for reading");
    std::string bytes((std::istreambuf_iterator<char>(data)), std::istreambuf_iterator<char>());
    const size_t expected = static_cast<size_t>(block.size()) * sizeof(float);
    if (bytes.size() != expected) {
      return Status::Corruption(data_path.string() + ": " + std::to_string(bytes.size()) +
                                " bytes, expected " + std::to_string(expected));
    }
    std::memcpy(net.params().data() + block.offset, bytes.data(), expected);
    seen.insert(name);
  }
  for (const ParamBlock& block : layout.blocks()) {
    if (!seen.count(block.name)) {
      return Status::InvalidArgument(manifest_path.string() + ": parameter '" + block.name +
                                     "' is missing");
    }
  }
  return Status::Ok();
}

Status SaveWeightsDir(const MultiTaskNet& net, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir.string() + ": cannot create folder: " + ec.message());
  std::string manifest;
  for (const ParamBlock& block : net.layout().blocks()) {
    manifest +=
        block.name + " " + std::to_string(block.rows) + " " + std::to_string(block.cols) + "\n";
    const char* bytes = reinterpret_cast<const char*>(net.params().data() + block.offset);
    MTREC_RETURN_IF_ERROR(WriteFileAtomically(
        dir / (block.name + ".f32"), std::string_view(bytes, block.size() * sizeof(float))));
  }
  return WriteFileAtomically(dir / "manifest.txt", manifest);
}

}  // namespace mtrec
