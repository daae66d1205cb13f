// Every command answers --help with its usage and every flag it accepts.
#include <gtest/gtest.h>

#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;

TEST(Help, ListsEveryCommand) {
  const auto r = RunMtrec({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* c : {"train", "evaluate", "recommend", "predict", "sweep"}) {
    EXPECT_NE(r.out.find(std::string("  ") + c + " "), std::string::npos) << c;
  }
}

TEST(Help, EachCommandDocumentsItsFlags) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"train",
       {"--save PATH", "--save_every", "--save_best", "--resume PATH", "--max_steps",
        "--early_stopping", "--patience", "--validation_fraction", "--logdir"}},
      {"evaluate", {"--model PATH", "--k", "--metrics", "--format", "--dataset"}},
      {"recommend",
       {"--user ID", "--users FILE", "--ratings", "--include_seen", "--k", "--fold_in_steps",
        "--format"}},
      {"predict", {"--user ID", "--item ID", "--format"}},
      {"sweep", {"--grid SPEC", "--seeds", "--out DIR", "--epochs", "--overwrite", "--save "}},
  };
  for (const auto& [command, flags] : commands) {
    const auto r = RunMtrec({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.out.find("usage: mtrec " + command), std::string::npos) << command;
    for (const std::string& flag : flags) {
      EXPECT_NE(r.out.find(flag), std::string::npos) << command << " " << flag;
    }
  }
  // predict needs only the checkpoint: it offers no data or thread flags.
  const auto predict = RunMtrec({"predict", "--help"});
  for (const char* flag : {"--dataset", "--data_dir", "--threads"}) {
    EXPECT_EQ(predict.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace mtrec
