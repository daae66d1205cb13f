#include "mtrec/report/sweep_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mtrec {

namespace {

MeanSd Stats(const std::vector<double>& v) {
  MeanSd out;
  if (v.empty()) return out;
  for (double x : v) out.mean += x;
  out.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - out.mean) * (x - out.mean);
    out.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return out;
}

std::string Fmt(const char* format, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, a, b);
  return buf;
}

}  // namespace

std::vector<ConfigSummary> SummarizeSweep(const std::vector<SweepRun>& runs) {
  std::vector<std::string> order;
  for (const SweepRun& r : runs) {
    if (!r.epochs.empty() && std::find(order.begin(), order.end(), r.config) == order.end()) {
      order.push_back(r.config);
    }
  }
  std::vector<ConfigSummary> out;
  for (const std::string& name : order) {
    std::vector<double> final_mrr, best_mrr, final_mse, best_mse;
    ConfigSummary s;
    s.config = name;
    for (const SweepRun& r : runs) {
      if (r.config != name || r.epochs.empty()) continue;
      ++s.seeds;
      s.epochs = std::max(s.epochs, static_cast<int>(r.epochs.size()));
      final_mrr.push_back(r.epochs.back().eval.mrr);
      final_mse.push_back(r.epochs.back().eval.mse);
      double bmrr = r.epochs.front().eval.mrr, bmse = r.epochs.front().eval.mse;
      for (const EpochStats& e : r.epochs) {
        bmrr = std::max(bmrr, e.eval.mrr);
        bmse = std::min(bmse, e.eval.mse);
      }
      best_mrr.push_back(bmrr);
      best_mse.push_back(bmse);
    }
    s.final_mrr = Stats(final_mrr);
    s.best_mrr = Stats(best_mrr);
    s.final_mse = Stats(final_mse);
    s.best_mse = Stats(best_mse);
    out.push_back(s);
  }
  return out;
}

std::string SweepMarkdown(const std::vector<ConfigSummary>& summary) {
  std::string out =
      "| configuration | seeds | epochs | final MRR | best MRR | final MSE | best MSE |\n"
      "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const ConfigSummary& s : summary) {
    out += "| " + s.config + " | " + std::to_string(s.seeds) + " | " + std::to_string(s.epochs) +
           " | " + Fmt("%.4f ± %.4f", s.final_mrr.mean, s.final_mrr.sd) + " | " +
           Fmt("%.4f ± %.4f", s.best_mrr.mean, s.best_mrr.sd) + " | " +
           Fmt("%.3f ± %.3f", s.final_mse.mean, s.final_mse.sd) + " | " +
           Fmt("%.3f ± %.3f", s.best_mse.mean, s.best_mse.sd) + " |\n";
  }
  return out + "\nmean ± sample standard deviation over seeds; test split; best = best epoch.\n";
}

std::string SweepCsv(const std::vector<ConfigSummary>& summary) {
  std::string out =
      "configuration,seeds,epochs,final_mrr_mean,final_mrr_sd,best_mrr_mean,best_mrr_sd,"
      "final_mse_mean,final_mse_sd,best_mse_mean,best_mse_sd\n";
  for (const ConfigSummary& s : summary) {
    out += s.config + "," + std::to_string(s.seeds) + "," + std::to_string(s.epochs);
    for (const MeanSd& m : {s.final_mrr, s.best_mrr, s.final_mse, s.best_mse}) {
      out += Fmt(",%.9g,%.9g", m.mean, m.sd);
    }
    out += "\n";
  }
  return out;
}

}  // namespace mtrec
