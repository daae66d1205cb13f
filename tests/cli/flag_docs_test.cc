// `mtrec train`'s flags, their --help and the docs' flag table are generated
// from the configuration schema (mtrec/config_schema.h); these fail when the
// docs' table or --help and the schema disagree.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "mtrec/config_schema.h"
#include "support/files.h"
#include "support/run_command.h"

namespace mtrec {
namespace {

using testing::ReadFile;
using testing::RunMtrec;

// The schema's default of a flag as --help and the table show it ("": none shown).
std::string DefaultShown(const ConfigField& f) {
  return f.default_text != nullptr ? f.default_text : FieldText(f, ExperimentConfig{});
}

// The file that holds the docs' table of train's flags: docs/cli.md, or the
// README until the docs move there.
std::filesystem::path DocsWithTable() {
  const std::filesystem::path root = std::filesystem::path(MTREC_TESTDATA_DIR) / ".." / "..";
  const std::filesystem::path docs = root / "docs" / "cli.md";
  return std::filesystem::exists(docs) ? docs : root / "README.md";
}

// --help's entry of `--flag`, its wrapped lines joined ("" if absent).
std::string HelpEntry(const std::string& help, const std::string& flag) {
  std::string unwrapped;
  const std::string wrap = "\n" + std::string(30, ' ');
  for (size_t k = 0; k < help.size();) {
    if (help.compare(k, wrap.size(), wrap) == 0) {
      unwrapped += ' ';
      k += wrap.size();
    } else {
      unwrapped += help[k++];
    }
  }
  size_t at = unwrapped.find("  --" + flag + " ");
  if (at == std::string::npos) at = unwrapped.find("  --" + flag + "\n");
  if (at == std::string::npos) return "";
  return unwrapped.substr(at, unwrapped.find('\n', at) - at);
}

TEST(FlagDocs, HelpShowsEverySchemaFlagWithItsDocAndDefault) {
  for (const char* command : {"train", "sweep"}) {
    const auto r = RunMtrec({command, "--help"});
    ASSERT_EQ(r.exit_code, 0) << command;
    for (const ConfigField& f : ConfigFields()) {
      if (f.flag_form == FlagForm::kNoFlag || (command == std::string("sweep") && !f.in_sweep)) {
        continue;
      }
      const std::string entry = HelpEntry(r.out, f.flag);
      ASSERT_NE(entry, "") << command << " --" << f.flag;
      EXPECT_NE(entry.find(f.doc), std::string::npos) << entry;
      // (A sweep has defaults of its own: 200 epochs.)
      if (command == std::string("train") && !DefaultShown(f).empty() &&
          (f.flag_form == FlagForm::kValue || f.flag_form == FlagForm::kOptionalBool)) {
        EXPECT_NE(entry.find("(default: " + DefaultShown(f) + ")"), std::string::npos) << entry;
      }
      if (f.flag_form == FlagForm::kSwitchPair) {
        EXPECT_NE(HelpEntry(r.out, "no_" + std::string(f.flag)).find(f.off_doc), std::string::npos)
            << f.flag;
      }
    }
  }
}

// A value out of a field's range is refused naming the flag (the field->flag
// translation comes from the schema: --negatives and --rating_l2 once lacked it).
TEST(FlagDocs, ARangeErrorNamesTheFlag) {
  for (const ConfigField& f : ConfigFields()) {
    const bool number = std::holds_alternative<FieldRef<int>>(f.access) ||
                        std::holds_alternative<FieldRef<double>>(f.access);
    if (f.flag_form != FlagForm::kValue || !number || !std::isfinite(f.range.lo)) continue;
    const std::string bad = std::to_string(static_cast<int>(f.range.lo) - 1);
    std::vector<std::string> args = {"train", "--dataset", "/nonexistent",
                                     "--" + std::string(f.flag), bad};
    if (f.part == ConfigPart::kEarlyStopping) args.insert(args.end(), {"--early_stopping", "mrr"});
    const auto r = RunMtrec(args);
    EXPECT_EQ(r.exit_code, 2) << f.flag;
    EXPECT_EQ(r.err.rfind("mtrec train: --" + std::string(f.flag) + ": expected ", 0), 0u) << r.err;
  }
}

// The docs' flag table of `mtrec <command>`, between its <!-- flags:... --> lines.
std::string DocsTable(const std::string& command) {
  const std::string text = ReadFile(DocsWithTable());
  const std::string begin = "<!-- flags:" + command + " -->\n";
  const size_t from = text.find(begin), to = text.find("<!-- /flags:" + command + " -->");
  EXPECT_NE(from, std::string::npos) << DocsWithTable() << " has no table of " << command;
  EXPECT_NE(to, std::string::npos) << DocsWithTable();
  if (from == std::string::npos || to == std::string::npos) return "";
  return text.substr(from + begin.size(), to - from - begin.size());
}

TEST(FlagDocs, TheDocsTableIsTheGeneratedOne) {
  const std::filesystem::path path = DocsWithTable();
  const std::string table = DocsTable("train");
  ASSERT_FALSE(table.empty());

  // Every schema flag has its row with the schema's default and doc.
  for (const ConfigField& f : ConfigFields()) {
    if (f.flag_form == FlagForm::kNoFlag) continue;
    const size_t row = table.find("| `--" + std::string(f.flag));
    ASSERT_NE(row, std::string::npos) << "--" << f.flag << " is not in " << path;
    const std::string line = table.substr(row, table.find('\n', row) - row);
    if (!DefaultShown(f).empty() &&
        (f.flag_form == FlagForm::kValue || f.flag_form == FlagForm::kOptionalBool)) {
      EXPECT_NE(line.find("` | `" + DefaultShown(f) + "` | "), std::string::npos) << line;
    }
  }
  const auto generated = RunMtrec({"help", "--markdown", "train"});
  ASSERT_EQ(generated.exit_code, 0);
  EXPECT_EQ(table, generated.out) << path << "'s table of `mtrec train`'s flags is not the "
                                  << "generated one: replace it with `mtrec help --markdown train`";
}

TEST(FlagDocs, TheServeTableIsTheGeneratedOne) {
  const auto generated = RunMtrec({"help", "--markdown", "serve"});
  ASSERT_EQ(generated.exit_code, 0);
  EXPECT_NE(generated.out.find("| `--admin_token TOKEN` |"), std::string::npos) << generated.out;
  EXPECT_EQ(DocsTable("serve"), generated.out)
      << DocsWithTable() << "'s table of `mtrec serve`'s flags is not the generated one: replace "
      << "it with `mtrec help --markdown serve`";
}

}  // namespace
}  // namespace mtrec
