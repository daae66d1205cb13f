// The run folder's JSON: keys in a fixed order, numbers that read back to the
// same double, and NaN (a diverged metric) written as null, never as `nan`.
#include "mtrec/report/run_directory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace mtrec {
namespace {

TEST(RunDirectory, EpochLinesRoundTripNumbersAndWriteNanAsNull) {
  EpochStats s;
  s.epoch = 7;
  s.losses.factorization = 1.0 / 3.0;
  s.losses.regression = 0.1;
  s.losses.joint = 2.5e-17;
  s.eval.mrr = std::nan("");
  s.eval.mse = HUGE_VAL;
  s.eval.mrr_users = 842;
  s.train_seconds = 0.25;
  s.eval_seconds = 0.125;
  const std::string line = EpochJson(s);
  EXPECT_EQ(line.rfind("{\"epoch\":7,\"factorization_loss\":", 0), 0u) << line;
  const std::string third = "\"factorization_loss\":";
  const size_t at = line.find(third) + third.size();
  EXPECT_EQ(std::stod(line.substr(at)), 1.0 / 3.0) << line;
  EXPECT_NE(line.find("\"regression_loss\":0.1,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"mrr\":null"), std::string::npos) << line;
  EXPECT_NE(line.find("\"mse\":null"), std::string::npos) << line;
  EXPECT_EQ(line.find("nan"), std::string::npos) << line;
  EXPECT_LT(line.find("\"mrr_users\""), line.find("\"train_seconds\"")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  s.has_validation = true;
  s.validation.mrr = 0.5;
  const std::string with_val = EpochJson(s);
  EXPECT_LT(with_val.find("\"val_mrr\":0.5"), with_val.find("\"train_seconds\"")) << with_val;
}

}  // namespace
}  // namespace mtrec
