// io/atomic_file.h: a write creates its temporary file new, under a name no one
// can predict, and never replaces anything but a regular file (issue 22, items
// 2 and 3).
#include "mtrec/io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "mtrec/io/file_entry.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

FileKind Kind(const fs::path& p) { return *KindOf(p); }

TEST(WriteFileAtomically, WritesANewFileAndReplacesARegularOne) {
  TempDir tmp;
  const fs::path target = tmp.path() / "f.json";
  ASSERT_TRUE(WriteFileAtomically(target, "one").ok());
  EXPECT_EQ(ReadFile(target), "one");
  ASSERT_TRUE(WriteFileAtomically(target, "two").ok());
  EXPECT_EQ(ReadFile(target), "two");
  AtomicWriteOptions keep;
  keep.replace = false;
  const Status refused = WriteFileAtomically(target, "three", keep);
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("already exists"), std::string::npos) << refused.message();
  EXPECT_EQ(ReadFile(target), "two");
  EXPECT_TRUE(WriteFileAtomically(tmp.path() / "new.json", "n", keep).ok());
  EXPECT_EQ(tmp.Entries().size(), 2u);  // no temporary file left behind
}

// The old code wrote to "<path>.tmp.<pid>" with O_CREAT|O_TRUNC: a link planted
// there sent the content into the link's target and left `path` a link to it.
TEST(WriteFileAtomically, ALinkAtThePredictableOldTemporaryNameIsNeverFollowed) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  WriteFile(victim, "precious");
  const fs::path target = tmp.path() / "m.mtrec";
  const fs::path old_temp = target.string() + ".tmp." + std::to_string(::getpid());
  fs::create_symlink(victim, old_temp);
  ASSERT_TRUE(WriteFileAtomically(target, "checkpoint").ok());
  EXPECT_EQ(ReadFile(victim), "precious");
  EXPECT_EQ(Kind(target), FileKind::kRegular);
  EXPECT_EQ(ReadFile(target), "checkpoint");
  EXPECT_EQ(Kind(old_temp), FileKind::kSymlink);
}

TEST(WriteFileAtomically, TemporaryNamesAreUnpredictable) {
  EXPECT_TRUE(IsTempFileOf("m.mtrec.tmp.a8Kd03LmQz1x", "m.mtrec"));
  EXPECT_TRUE(IsTempFileOf("m.mtrec.tmp.12345", "m.mtrec"));  // an older mtrec's
  EXPECT_FALSE(IsTempFileOf("m.mtrec.tmp.", "m.mtrec"));
  EXPECT_FALSE(IsTempFileOf("m.mtrec.tmp.a/b", "m.mtrec"));
  EXPECT_FALSE(IsTempFileOf("n.mtrec.tmp.abc", "m.mtrec"));
}

// Item 3: a link (to a regular file, to a device, dangling), a FIFO and a
// folder are never replaced, and nothing is written through them.
TEST(WriteFileAtomically, NeverReplacesWhatIsNotARegularFile) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  WriteFile(victim, "precious");
  const fs::path outside = tmp.path() / "outside";
  const std::vector<std::pair<std::string, FileKind>> planted = {{"link", FileKind::kSymlink},
                                                                 {"dangling", FileKind::kSymlink},
                                                                 {"device", FileKind::kSymlink},
                                                                 {"fifo", FileKind::kFifo},
                                                                 {"folder", FileKind::kFolder}};
  fs::create_directories(tmp.path() / "w");
  fs::create_symlink(victim, tmp.path() / "w" / "link");
  fs::create_symlink(outside, tmp.path() / "w" / "dangling");
  fs::create_symlink("/dev/null", tmp.path() / "w" / "device");
  ASSERT_EQ(::mkfifo((tmp.path() / "w" / "fifo").c_str(), 0644), 0);
  fs::create_directories(tmp.path() / "w" / "folder");
  for (const auto& [name, kind] : planted) {
    for (bool replace : {true, false}) {
      AtomicWriteOptions options;
      options.replace = replace;
      const Status s = WriteFileAtomically(tmp.path() / "w" / name, "content", options);
      EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << name << ": " << s.message();
      EXPECT_NE(s.message().find(DescribeKind(kind)), std::string::npos) << s.message();
      EXPECT_EQ(Kind(tmp.path() / "w" / name), kind) << name;
    }
  }
  EXPECT_EQ(ReadFile(victim), "precious");
  EXPECT_FALSE(fs::exists(outside));
  EXPECT_EQ(fs::read_symlink(tmp.path() / "w" / "device"), "/dev/null");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path() / "w"), fs::directory_iterator()),
            5);  // no temporary file left behind
}

TEST(WriteFileAtomically, AMissingFolderIsNotFound) {
  TempDir tmp;
  const Status s = WriteFileAtomically(tmp.path() / "no" / "f", "x");
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.message();
  EXPECT_FALSE(fs::exists(tmp.path() / "no"));
}

// A claimed output replaced by a link while a run went on: the content is
// kept beside it (not lost, not written through the link).
TEST(WriteFileAtomically, KeepsTheContentBesideATargetThatMayNotBeReplaced) {
  TempDir tmp;
  WriteFile(tmp.path() / "victim", "precious");
  fs::create_symlink(tmp.path() / "victim", tmp.path() / "m.mtrec");
  AtomicWriteOptions keep;
  keep.keep_if_refused = true;
  const Status s = WriteFileAtomically(tmp.path() / "m.mtrec", "checkpoint", keep);
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  const size_t at = s.message().find("the content is kept in ");
  ASSERT_NE(at, std::string::npos) << s.message();
  const fs::path kept = s.message().substr(at + 23);
  EXPECT_EQ(kept.parent_path(), tmp.path());
  EXPECT_TRUE(kept.filename().string().starts_with("m.mtrec.kept."));
  EXPECT_EQ(ReadFile(kept), "checkpoint");
  EXPECT_EQ(ReadFile(tmp.path() / "victim"), "precious");
  EXPECT_TRUE(fs::is_symlink(tmp.path() / "m.mtrec"));
  EXPECT_FALSE(IsTempFileOf(kept.filename().string(), "m.mtrec"));  // no claim removes it
}

}  // namespace
}  // namespace mtrec
