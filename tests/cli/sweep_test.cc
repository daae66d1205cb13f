// `mtrec sweep`: one folder per (configuration, seed), and a summary whose
// numbers are the runs' own, in Markdown, CSV and a well-formed SVG.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::ReadLines;
using testing::RunMtrec;
using testing::TempDir;

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, sep);) out.push_back(cell);
  return out;
}

TEST(Sweep, RunsTheGridAndSummarisesIt) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 30, 20, 10, 5);
  const auto r = RunMtrec({"sweep", "--dataset", tmp / "u.data", "--epochs", "3", "--seeds", "4,9",
                           "--grid", "shared/0.99/0.01;separate/0.5/0.5", "--out", tmp / "sw",
                           "--batch_size", "64", "--threads", "2", "--save"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[4/4] shared=False_LF=0.5_LR=0.5 seed 9"), std::string::npos) << r.out;

  const std::vector<std::string> configs = {"shared=True_LF=0.99_LR=0.01",
                                            "shared=False_LF=0.5_LR=0.5"};
  const auto csv = ReadLines(tmp.path() / "sw" / "summary.csv");
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_EQ(csv[0].substr(0, 38), "configuration,seeds,epochs,final_mrr_m");
  for (size_t c = 0; c < configs.size(); ++c) {
    std::vector<double> final_mrr, best_mse;
    for (const char* seed : {"seed=4", "seed=9"}) {
      const auto dir = tmp.path() / "sw" / configs[c] / seed;
      const auto lines = ReadLines(dir / "metrics.jsonl");
      ASSERT_EQ(lines.size(), 3u) << dir;
      const auto cfg = nlohmann::json::parse(testing::ReadFile(dir / "config.json"));
      EXPECT_EQ(cfg["config"]["model"]["shared_embeddings"].get<bool>(), c == 0);
      EXPECT_EQ(cfg["config"]["train"]["seed"].get<int>(), seed == std::string("seed=4") ? 4 : 9);
      final_mrr.push_back(nlohmann::json::parse(lines.back())["mrr"].get<double>());
      double best = 1e300;
      for (const auto& l : lines)
        best = std::min(best, nlohmann::json::parse(l)["mse"].get<double>());
      best_mse.push_back(best);
      bool has_events = false;
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        has_events |= e.path().filename().string().starts_with("events.out.tfevents.");
      }
      EXPECT_TRUE(has_events) << dir;
      auto model = LoadCheckpoint(dir / "model.mtrec");  // --save
      ASSERT_TRUE(model.ok()) << model.status().message();
      EXPECT_EQ(model->epochs_done, 3);
    }
    const auto cells = Split(csv[c + 1], ',');
    ASSERT_EQ(cells.size(), 11u);
    EXPECT_EQ(cells[0], configs[c]);
    EXPECT_EQ(cells[1], "2");
    EXPECT_EQ(cells[2], "3");
    const double mean = (final_mrr[0] + final_mrr[1]) / 2;
    const double sd = std::fabs(final_mrr[0] - final_mrr[1]) / std::sqrt(2.0);
    EXPECT_NEAR(std::stod(cells[3]), mean, 1e-8 * mean);
    EXPECT_NEAR(std::stod(cells[4]), sd, 1e-8 + 1e-8 * sd);
    const double best = (best_mse[0] + best_mse[1]) / 2;
    EXPECT_NEAR(std::stod(cells[9]), best, 1e-8 * best);
  }

  const auto md = ReadLines(tmp.path() / "sw" / "summary.md");
  ASSERT_GE(md.size(), 4u);
  EXPECT_EQ(md[0],
            "| configuration | seeds | epochs | final MRR | best MRR | final MSE | best MSE |");
  EXPECT_EQ(md[2].substr(0, 36), "| shared=True_LF=0.99_LR=0.01 | 2 | ");
  EXPECT_NE(r.out.find(md[3]), std::string::npos);  // the table is printed too

  // The SVG parses as XML, with two panels and (2 seeds + 1 mean) x 2 configs lines each.
  const std::string svg = (tmp.path() / "sw" / "curves.svg").string();
  const auto parsed = testing::RunProgram(
      {"/usr/bin/python3", "-c",
       "import sys, xml.etree.ElementTree as E\n"
       "root = E.parse(sys.argv[1]).getroot()\n"
       "ns = '{http://www.w3.org/2000/svg}'\n"
       "print(len(root.findall(ns + 'polyline')), [t.text for t in root.findall(ns + 'text') "
       "if t.text in ('test MRR', 'test MSE')])",
       svg});
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(parsed.out, "12 ['test MRR', 'test MSE']\n");

  const auto again = RunMtrec({"sweep", "--dataset", tmp / "u.data", "--out", tmp / "sw"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already holds a run"), std::string::npos) << again.err;
  const auto bad = RunMtrec({"sweep", "--grid", "shared/0.5"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--grid: expected shared|separate/WF/WR"), std::string::npos) << bad.err;
  // --threads is range-checked as train checks it (0 is not "all cores" on the command line).
  const auto zero = RunMtrec({"sweep", "--threads", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--threads: expected an integer in [1, 1024], got 0"), std::string::npos)
      << zero.err;
}

}  // namespace
}  // namespace mtrec
