// `mtrec train --logdir` writes a TensorBoard event file that an independent
// reader (python3-crc32c for the framing, protoc --decode for the protobufs)
// reads back record for record, matching metrics.jsonl exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/files.h"
#include "support/golden_file.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::ReadLines;
using testing::RunMtrec;
using testing::RunProgram;
using testing::TempDir;

std::filesystem::path OnlyEventFile(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with("events.out.tfevents.")) found.push_back(e.path());
  }
  EXPECT_EQ(found.size(), 1u);
  return found.empty() ? std::filesystem::path() : found.front();
}

TEST(TensorBoard, EventFileDecodesToTheMetrics) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 40, 30, 12, 7);
  const int epochs = 3;
  const auto run =
      RunMtrec({"train", "--dataset", tmp / "u.data", "--epochs", std::to_string(epochs),
                "--logdir", tmp / "run", "--threads", "2", "--batch_size", "64"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const std::filesystem::path events = OnlyEventFile(tmp.path() / "run");
  // The independent decoder: fails (non-zero) on any CRC or decoding error, or
  // when protoc or python3-crc32c is missing (CI installs both).
  const auto decoded =
      RunProgram({"/usr/bin/python3", testing::TestDataPath("../tools/check_tfevents.py"),
                  events.string(), testing::TestDataPath("../tools")});
  ASSERT_EQ(decoded.exit_code, 0) << "check_tfevents.py failed (are protobuf-compiler and "
                                     "python3-crc32c installed? see scripts/install_deps.sh):\n"
                                  << decoded.err << decoded.out;

  std::istringstream lines(decoded.out);
  std::string kind;
  std::vector<std::tuple<int, std::string, float>> scalars;
  int file_versions = 0, records = -1;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    in >> kind;
    if (kind == "file_version") {
      std::string v;
      in >> v;
      EXPECT_EQ(v, "brain.Event:2");
      EXPECT_TRUE(scalars.empty()) << "file_version must be the first record";
      ++file_versions;
    } else if (kind == "scalar") {
      int step;
      std::string value, tag;
      in >> step >> value;
      std::getline(in >> std::ws, tag);
      scalars.emplace_back(step, tag, std::stof(value));
    } else if (kind == "records") {
      in >> records;
    }
  }
  EXPECT_EQ(file_versions, 1);
  ASSERT_EQ(scalars.size(), 5u * epochs);
  EXPECT_EQ(records, 1 + 5 * epochs);

  const auto metrics = ReadLines(tmp.path() / "run" / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), static_cast<size_t>(epochs));
  const std::vector<std::pair<std::string, std::string>> tags = {
      {"training/Factorization Loss", "factorization_loss"},
      {"training/MSE", "regression_loss"},
      {"training/Joint Loss", "joint_loss"},
      {"eval/Mean Reciprocal Rank", "mrr"},
      {"eval/MSE", "mse"}};
  for (int e = 0; e < epochs; ++e) {
    const auto m = nlohmann::json::parse(metrics[e]);
    ASSERT_EQ(m["epoch"].get<int>(), e + 1);
    for (size_t t = 0; t < tags.size(); ++t) {
      const auto& [step, tag, value] = scalars[e * tags.size() + t];
      EXPECT_EQ(step, e);
      EXPECT_EQ(tag, tags[t].first);
      EXPECT_EQ(value, static_cast<float>(m[tags[t].second].get<double>()))
          << tag << " epoch " << e;
    }
  }
}

TEST(TensorBoard, DecoderRejectsACorruptRecord) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 20, 20, 8, 3);
  ASSERT_EQ(RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "run"}).exit_code, 0);
  const std::filesystem::path events = OnlyEventFile(tmp.path() / "run");
  std::string bytes = testing::ReadFile(events);
  bytes[bytes.size() - 6] ^= 0x01;  // inside the last record's data
  {
    std::ofstream out(events, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  const auto decoded =
      RunProgram({"/usr/bin/python3", testing::TestDataPath("../tools/check_tfevents.py"),
                  events.string(), testing::TestDataPath("../tools")});
  EXPECT_NE(decoded.exit_code, 0);
  EXPECT_NE(decoded.err.find("record 5: bad data crc"), std::string::npos) << decoded.err;
}

}  // namespace
}  // namespace mtrec
