// `mtrec train` end to end with data sets served by a loopback HTTP server
// ($MTREC_MOVIELENS_URL): the download, the offline second run, and the
// one-line errors (exit 1, nothing left in the cache) for bad data.
#include <gtest/gtest.h>

#include <filesystem>

#include "mtrec/io/file_digest.h"
#include "support/files.h"
#include "support/loopback_http_server.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "support/zip_writer.h"

namespace mtrec {
namespace {

using testing::CommandResult;
using testing::LoopbackHttpServer;
using testing::MakeZip;
using testing::MtrecBinary;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;
using testing::WriteFile;

std::string Ratings(const char* separator, int n) {
  std::string text;
  for (int k = 0; k < n; ++k) {
    text += std::to_string(k % 50 + 1) + separator + std::to_string(k * 37 % 300 + 1) + separator +
            std::to_string(k % 5 + 1) + separator + std::to_string(880000000 + k) + "\n";
  }
  return text;
}

struct Cli {
  TempDir dir;
  LoopbackHttpServer server;

  // `mtrec train` with a fresh run folder, the test's data dir and mirror.
  CommandResult Train(const std::string& flags, const std::string& prefix = "") {
    static int run = 0;
    return RunCommand(prefix + "MTREC_MOVIELENS_URL=" + ShellQuote(server.url()) + " " +
                      ShellQuote(MtrecBinary()) + " train --data_dir " + ShellQuote(dir / "cache") +
                      " --logdir " + ShellQuote(dir / ("run" + std::to_string(run++))) +
                      " --threads 1 " + flags);
  }
  std::vector<std::string> CacheEntries() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() / "cache", ec)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }
};

void ServeMl10m(LoopbackHttpServer& server, const std::string& archive) {
  server.Serve("/ml-10m.zip", archive);
  server.Serve("/ml-10m.zip.md5", DigestHex(archive, DigestAlgorithm::kMd5) + "  ml-10m.zip\n");
}

TEST(DataCli, DownloadsVerifiesTrainsAndThenRunsOffline) {
  Cli cli;
  ServeMl10m(cli.server, MakeZip({{"ml-10M100K/ratings.dat", Ratings("::", 2000)}}));
  const CommandResult first = cli.Train("--dataset ml-10m");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("mtrec: downloading " + cli.server.url() + "/ml-10m.zip\n"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("mtrec: md5 verified, saved as " + cli.dir / "cache/ml-10m.zip"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.out.find("run folder:"), std::string::npos);
  EXPECT_EQ(cli.CacheEntries(), std::vector<std::string>{"ml-10m.zip"});

  cli.server.Stop();
  const CommandResult second = cli.Train("--dataset ml-10m");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err.find("downloading"), std::string::npos);
}

TEST(DataCli, AChecksumMismatchExitsOneAndKeepsNothing) {
  Cli cli;
  // Not GroupLens's ml-100k.zip, so its pinned SHA-256 cannot match.
  cli.server.Serve("/ml-100k.zip", MakeZip({{"ml-100k/u.data", Ratings("\t", 2000)}}));
  const CommandResult r = cli.Train("--dataset ml-100k");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("mtrec train: checksum mismatch for " + cli.server.url() +
                       "/ml-100k.zip: sha256 "),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(cli.CacheEntries().empty());
  EXPECT_FALSE(std::filesystem::exists(cli.dir.path() / "cache"));
}

TEST(DataCli, AStalledServerAndAnHttpErrorExitOne) {
  Cli cli;
  const std::string archive = MakeZip({{"ml-10M100K/ratings.dat", Ratings("::", 2000)}});
  ServeMl10m(cli.server, archive);
  LoopbackHttpServer::Response stall{archive};
  stall.stall_after = 10;
  cli.server.Serve("/ml-10m.zip", stall);
  const CommandResult stalled = cli.Train("--dataset ml-10m --download_timeout 1");
  EXPECT_EQ(stalled.exit_code, 1);
  EXPECT_NE(stalled.err.find("the server stalled"), std::string::npos) << stalled.err;
  EXPECT_TRUE(cli.CacheEntries().empty());

  const CommandResult missing = cli.Train("--dataset ml-32m");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("mtrec train: cannot verify ml-32m.zip without its published "
                             "checksum: GET " +
                             cli.server.url() + "/ml-32m.zip.md5: HTTP 404"),
            std::string::npos)
      << missing.err;
  EXPECT_TRUE(cli.CacheEntries().empty());
}

TEST(DataCli, AFullDiskFailsTheDownloadCleanly) {
  // Simulated with RLIMIT_FSIZE (ulimit -f, in KiB): a write past 64 KiB fails
  // with EFBIG, as a full disk fails with ENOSPC; SIGXFSZ is ignored so that
  // the write returns the error instead of killing the process.
  Cli cli;
  std::string big;
  for (int k = 0; k < 20; ++k) big += Ratings("::", 4000);
  ServeMl10m(cli.server, MakeZip({{"ml-10M100K/ratings.dat", big},
                                  {"ml-10M100K/noise.bin", std::string(300000, 'z') + big}}));
  const CommandResult r = cli.Train("--dataset ml-10m", "trap '' XFSZ; ulimit -f 64; ");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("mtrec train: " + cli.dir / "cache/ml-10m.zip.part" +
                       ": write failed: File too large"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(cli.CacheEntries().empty());
}

TEST(DataCli, BadRatingsFilesGiveOneLineErrorsWithFileAndLine) {
  Cli cli;
  struct Case {
    std::string content, expected;
  } cases[] = {
      {"1,2,3\n1,2\n", "r.csv:2: expected 3 or 4 fields"},
      {"1,2,3\n1,2,NaN\n", "r.csv:2: rating 'NaN' is not a finite number"},
      {"u,i,r\n", "r.csv: no ratings (the file has only a header line)"},
      {"", "r.csv: no ratings (the file is empty)"},
  };
  for (const Case& c : cases) {
    WriteFile(cli.dir / "r.csv", c.content);
    const CommandResult r = cli.Train("--dataset " + ShellQuote(cli.dir / "r.csv"));
    EXPECT_EQ(r.exit_code, 1) << c.content;
    EXPECT_EQ(r.err.rfind("mtrec train: " + cli.dir / c.expected, 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(DataCli, UsersFilesWithFormatFlagsTrainAndBadFlagValuesExitTwo) {
  Cli cli;
  std::string text = "who;what;stars\n";
  for (int k = 0; k < 2000; ++k) {
    text += "user" + std::to_string(k % 40) + ";tt" + std::to_string(1000000 + k * 13 % 500) + ";" +
            std::to_string(k % 10) + ".5\n";
  }
  WriteFile(cli.dir / "mine.txt", text);
  const CommandResult ok = cli.Train("--dataset " + ShellQuote(cli.dir / "mine.txt") +
                                     " --format 'sep=;+header' --columns user,item,rating");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const CommandResult bad_format = cli.Train("--format xml");
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_NE(bad_format.err.find("--format: expected auto, tsv, csv"), std::string::npos);
  EXPECT_EQ(cli.Train("--duplicates mean").exit_code, 2);
  EXPECT_EQ(cli.Train("--download_timeout 0").exit_code, 2);
}

}  // namespace
}  // namespace mtrec
