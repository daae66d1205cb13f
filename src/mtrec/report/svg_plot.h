// SvgCurves: a line chart as a standalone SVG document (opens in any browser),
// for the sweep's test-metric curves. No dependencies; text is XML-escaped.
#pragma once

#include <string>
#include <vector>

#include "mtrec/report/sweep_summary.h"

namespace mtrec {

struct Series {
  std::string label;
  std::vector<double> y;  // y[k] at x = k + 1
  int color = 0;          // palette index
  bool faint = false;     // drawn thin and translucent (individual seeds)
};

struct Panel {
  std::string title;
  std::string x_label;
  std::vector<Series> series;
};

// Panels side by side, with axes, ticks and one legend for the labelled,
// non-faint series.
std::string SvgChart(const std::vector<Panel>& panels);

// The sweep's chart: test MRR and test MSE per epoch, one colour per
// configuration: the mean over seeds in bold, each seed faint.
std::string SweepCurvesSvg(const std::vector<SweepRun>& runs);

}  // namespace mtrec
