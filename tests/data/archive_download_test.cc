// Downloads into the cache against a loopback HTTP server: verification by a
// pinned SHA-256 or the published .md5, cache reuse without network, resuming,
// clean retries, and every way a download can fail (leaving nothing behind).
#include "mtrec/data/archive_download.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "mtrec/io/file_digest.h"
#include "support/files.h"
#include "support/loopback_http_server.h"
#include "support/temp_dir.h"
#include "support/zip_writer.h"

namespace mtrec {
namespace {

using testing::LoopbackHttpServer;
using testing::MakeZip;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// An archive big enough to arrive in several pieces.
std::string TestArchive() {
  std::string ratings;
  for (int k = 0; k < 40000; ++k) {
    ratings += std::to_string(k % 97 + 1) + "::" + std::to_string(k * 7919 % 100003) + "::4::1\n";
  }
  return MakeZip({{"ml-10M100K/ratings.dat", ratings}});
}

const MovieLensSet& Ml10m() { return *FindMovieLensSet("ml-10m"); }

DownloadOptions Options(const LoopbackHttpServer& server, std::vector<DownloadEvent>* events) {
  DownloadOptions o;
  o.base_url = server.url();
  o.stall_timeout_seconds = 1;
  o.on_event = [events](const DownloadEvent& e) { events->push_back(e); };
  return o;
}

int Count(const std::vector<DownloadEvent>& events, DownloadEvent::Kind kind) {
  return static_cast<int>(std::count_if(events.begin(), events.end(),
                                        [kind](const DownloadEvent& e) { return e.kind == kind; }));
}

struct Fixture {
  std::string archive = TestArchive();
  LoopbackHttpServer server;
  TempDir cache;
  std::vector<DownloadEvent> events;
  Fixture() {
    server.Serve("/ml-10m.zip.md5",
                 "MD5 (ml-10m.zip) = " + DigestHex(archive, DigestAlgorithm::kMd5) + "\n");
  }
  Result<std::filesystem::path> Fetch(const MovieLensSet& set = Ml10m()) {
    return EnsureMovieLensArchive(set, cache.path(), Options(server, &events));
  }
};

TEST(ArchiveDownload, DownloadsVerifiesWithMd5AndThenUsesTheCacheOffline) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(*path, f.cache.path() / "ml-10m.zip");
  EXPECT_EQ(ReadFile(path->string()), f.archive);
  EXPECT_EQ(f.cache.Entries(), std::vector<std::string>{"ml-10m.zip"});
  EXPECT_EQ(Count(f.events, DownloadEvent::Kind::kStarted), 1);
  EXPECT_EQ(Count(f.events, DownloadEvent::Kind::kVerifying), 1);
  ASSERT_EQ(Count(f.events, DownloadEvent::Kind::kDone), 1);
  EXPECT_EQ(f.events.back().detail, "md5 verified");
  const auto last_progress = std::find_if(f.events.rbegin(), f.events.rend(), [](auto& e) {
    return e.kind == DownloadEvent::Kind::kProgress;
  });
  ASSERT_NE(last_progress, f.events.rend());
  EXPECT_EQ(last_progress->progress.bytes_total, static_cast<int64_t>(f.archive.size()));

  f.server.Stop();  // no network now
  const size_t requests = f.server.requests().size();
  auto again = f.Fetch();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(f.server.requests().size(), requests);
}

TEST(ArchiveDownload, PinnedSha256IsCheckedAndAMismatchKeepsNothing) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  MovieLensSet pinned = Ml10m();
  const std::string sha = DigestHex(f.archive, DigestAlgorithm::kSha256);
  pinned.sha256 = sha;
  ASSERT_TRUE(f.Fetch(pinned).ok());
  EXPECT_EQ(f.events.back().detail, "sha256 verified");

  std::filesystem::remove(f.cache.path() / "ml-10m.zip");
  const std::string wrong(64, 'a');
  pinned.sha256 = wrong;
  auto bad = f.Fetch(pinned);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "checksum mismatch for " + f.server.url() +
                                        "/ml-10m.zip: sha256 " + sha + ", expected " + wrong +
                                        " (a corrupt download, or the server sent another file); "
                                        "nothing was kept");
  EXPECT_TRUE(f.cache.Entries().empty());
}

// A zip planted or damaged in the cache is not read as a pinned data set: the
// cache hit is checked against the SHA-256 (size first), offline, every time.
TEST(ArchiveDownload, ACachedArchiveIsCheckedAgainstThePinnedSha256) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  MovieLensSet pinned = Ml10m();
  const std::string sha = DigestHex(f.archive, DigestAlgorithm::kSha256);
  pinned.sha256 = sha;
  pinned.archive_bytes = static_cast<int64_t>(f.archive.size());
  ASSERT_TRUE(f.Fetch(pinned).ok());
  f.server.Stop();
  ASSERT_TRUE(f.Fetch(pinned).ok());  // the genuine one, offline

  const std::filesystem::path cached = f.cache.path() / "ml-10m.zip";
  std::string planted = f.archive;
  planted[planted.size() / 2] ^= 1;  // the same size, another file
  WriteFile(cached, planted);
  auto bad = f.Fetch(pinned);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(bad.status().message(),
            cached.string() + ": sha256 " + DigestHex(planted, DigestAlgorithm::kSha256) +
                ", expected " + sha +
                ": not the ml-10m archive mtrec downloaded (damaged or replaced); remove it to "
                "download it again");
  EXPECT_EQ(ReadFile(cached), planted);  // left for the user to look at

  WriteFile(cached, "PK short");
  bad = f.Fetch(pinned);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(": 8 bytes, expected " + std::to_string(f.archive.size())),
            std::string::npos)
      << bad.status().message();
}

TEST(ArchiveDownload, Md5MismatchAndMissingMd5Fail) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive + "tampered");
  auto bad = f.Fetch();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(
                "checksum mismatch for " + f.server.url() + "/ml-10m.zip: md5 ", 0),
            0u)
      << bad.status().message();
  EXPECT_TRUE(f.cache.Entries().empty());

  f.server.Serve("/ml-10m.zip.md5", LoopbackHttpServer::Response{"", 404});
  auto missing = f.Fetch();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot verify ml-10m.zip without its published checksum: GET " + f.server.url() +
                "/ml-10m.zip.md5: HTTP 404 Not Found");
  f.server.Serve("/ml-10m.zip.md5", "<html>no checksum here</html>");
  auto garbage = f.Fetch();
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            f.server.url() + "/ml-10m.zip.md5: no MD5 checksum (32 hex digits) in it");
  EXPECT_TRUE(f.cache.Entries().empty());
}

TEST(ArchiveDownload, HttpErrorsAreReportedAndLeaveNothing) {
  Fixture f;
  auto missing = f.Fetch();  // the archive itself is not served
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "GET " + f.server.url() + "/ml-10m.zip: HTTP 404 Not Found");
  f.server.Serve("/ml-10m.zip", LoopbackHttpServer::Response{"oops", 500});
  auto broken = f.Fetch();
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message(),
            "GET " + f.server.url() + "/ml-10m.zip: HTTP 500 (server error)");
  EXPECT_TRUE(f.cache.Entries().empty());
}

TEST(ArchiveDownload, ABrokenTransferIsResumedWithARangeRequest) {
  Fixture f;
  LoopbackHttpServer::Response r{f.archive};
  r.truncate_after = static_cast<int64_t>(f.archive.size() / 3);
  r.truncate_times = 1;
  f.server.Serve("/ml-10m.zip", r);
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
  EXPECT_EQ(Count(f.events, DownloadEvent::Kind::kRetrying), 1);
  const auto requests = f.server.requests();
  ASSERT_EQ(requests.size(), 3u);  // .md5, the broken transfer, the resume
  EXPECT_EQ(requests[2].range, "bytes=" + std::to_string(f.archive.size() / 3) + "-");
}

TEST(ArchiveDownload, GivesUpAfterRepeatedBreaksAndCleansUp) {
  Fixture f;
  LoopbackHttpServer::Response r{f.archive};
  r.truncate_after = 1000;
  r.truncate_times = 100;
  r.ignore_range = true;
  f.server.Serve("/ml-10m.zip", r);
  auto path = f.Fetch();
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("GET " + f.server.url() + "/ml-10m.zip: transfer closed"),
            std::string::npos)
      << path.status().message();
  EXPECT_TRUE(f.cache.Entries().empty());
}

TEST(ArchiveDownload, ResumesAPartLeftByAnInterruptedRun) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  const size_t half = f.archive.size() / 2;
  WriteFile((f.cache.path() / "ml-10m.zip.part").string(), f.archive.substr(0, half));
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
  EXPECT_EQ(f.server.requests().back().range, "bytes=" + std::to_string(half) + "-");
  EXPECT_EQ(f.cache.Entries(), std::vector<std::string>{"ml-10m.zip"});
}

TEST(ArchiveDownload, ABadPartIsDiscardedAndDownloadedAgainFromTheStart) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  WriteFile((f.cache.path() / "ml-10m.zip.part").string(), std::string(1000, 'x'));
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
  EXPECT_EQ(f.server.requests().back().range, "");
}

TEST(ArchiveDownload, AServerIgnoringRangeGetsTheFileRewritten) {
  Fixture f;
  LoopbackHttpServer::Response r{f.archive};
  r.ignore_range = true;
  f.server.Serve("/ml-10m.zip", r);
  WriteFile((f.cache.path() / "ml-10m.zip.part").string(), f.archive.substr(0, 5000));
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
}

TEST(ArchiveDownload, ACompletePartGets416AndStartsOver) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  WriteFile((f.cache.path() / "ml-10m.zip.part").string(), f.archive);
  auto path = f.Fetch();
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
}

TEST(ArchiveDownload, AStalledServerTimesOut) {
  Fixture f;
  LoopbackHttpServer::Response r{f.archive};
  r.stall_after = 100;
  f.server.Serve("/ml-10m.zip", r);
  auto path = f.Fetch();
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(),
            "GET " + f.server.url() +
                "/ml-10m.zip: no data for 1 s, the server stalled (try again later, or raise "
                "--download_timeout)");
  EXPECT_TRUE(f.cache.Entries().empty());
}

TEST(ArchiveDownload, AnUncreatableDataDirectoryIsAnError) {
  Fixture f;
  f.server.Serve("/ml-10m.zip", f.archive);
  WriteFile(f.cache / "file", "not a folder");
  auto path = EnsureMovieLensArchive(Ml10m(), f.cache.path() / "file" / "cache",
                                     Options(f.server, &f.events));
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message(), "cannot create the data directory " + f.cache / "file/cache" +
                                         ": Not a directory (choose another with --data_dir or "
                                         "$MTREC_DATA_DIR)");
  EXPECT_EQ(f.cache.Entries(), std::vector<std::string>{"file"});
}

TEST(ArchiveDownload, FileUrlsWork) {
  Fixture f;
  TempDir mirror;
  WriteFile(mirror / "ml-10m.zip", f.archive);
  WriteFile(mirror / "ml-10m.zip.md5",
            DigestHex(f.archive, DigestAlgorithm::kMd5) + "  ml-10m.zip\n");
  DownloadOptions o = Options(f.server, &f.events);
  o.base_url = "file://" + mirror.path().string();
  auto path = EnsureMovieLensArchive(Ml10m(), f.cache.path(), o);
  ASSERT_TRUE(path.ok()) << path.status().message();
  EXPECT_EQ(ReadFile(path->string()), f.archive);
}

TEST(ArchiveDownload, ParseMd5FileForms) {
  EXPECT_EQ(*ParseMd5File("0E33842E24A9C977BE4E0107933C0723  ml-100k.zip\n", "x"),
            "0e33842e24a9c977be4e0107933c0723");
  EXPECT_EQ(*ParseMd5File("MD5 (ml-100k.zip) = 0e33842e24a9c977be4e0107933c0723", "x"),
            "0e33842e24a9c977be4e0107933c0723");
  EXPECT_FALSE(ParseMd5File("0e33842e24a9c977be4e0107933c07231 x", "x").ok());  // 33 digits
}

// Issue 22: a link (or a FIFO) planted at the archive or its .part is refused
// before any transfer; nothing is written through it.
TEST(ArchiveDownload, ALinkAtTheArchiveOrItsPartIsRefusedNotFollowed) {
  for (const char* name : {"ml-10m.zip.part", "ml-10m.zip"}) {
    Fixture f;
    f.server.Serve("/ml-10m.zip", f.archive);
    TempDir outside;
    WriteFile((outside.path() / "victim").string(), "precious");
    const std::filesystem::path planted = f.cache.path() / name;
    if (std::string(name).ends_with(".part")) {
      std::filesystem::create_symlink(outside.path() / "victim", planted);
    } else {
      std::filesystem::create_symlink(outside.path() / "ghost", planted);  // dangling
    }
    auto path = f.Fetch();
    ASSERT_FALSE(path.ok()) << name;
    EXPECT_EQ(path.status().code(), Status::Code::kInvalidArgument) << path.status().message();
    EXPECT_NE(path.status().message().find("is a symbolic link"), std::string::npos);
    EXPECT_EQ(ReadFile((outside.path() / "victim").string()), "precious");
    EXPECT_FALSE(std::filesystem::exists(outside.path() / "ghost"));
    EXPECT_TRUE(std::filesystem::is_symlink(planted));
    EXPECT_TRUE(f.server.requests().empty());
  }
}

}  // namespace
}  // namespace mtrec
