#include "mtrec/report/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace mtrec {

namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr int kPanelWidth = 460, kPanelHeight = 320;
constexpr int kLeft = 60, kRight = 15, kTop = 30, kBottom = 45;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Tick(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

// A "nice" tick step for a range (1, 2 or 5 times a power of ten).
double TickStep(double range, int target) {
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

std::string DrawPanel(const Panel& p, int x0) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  size_t n = 1;
  for (const Series& s : p.series) {
    n = std::max(n, s.y.size());
    for (double v : s.y) {
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) hi = lo + 1;
  const double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const double w = kPanelWidth - kLeft - kRight, h = kPanelHeight - kTop - kBottom;
  const auto px = [&](double x) {
    return x0 + kLeft + (n > 1 ? (x - 1) / double(n - 1) : 0.5) * w;
  };
  const auto py = [&](double y) { return kTop + (hi - y) / (hi - lo) * h; };
  std::string out;
  out += "<text x=\"" + Num(x0 + kLeft + w / 2) + "\" y=\"18\" text-anchor=\"middle\" " +
         "font-weight=\"bold\">" + Escape(p.title) + "</text>\n";
  out += "<rect x=\"" + Num(x0 + kLeft) + "\" y=\"" + Num(kTop) + "\" width=\"" + Num(w) +
         "\" height=\"" + Num(h) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  const double ystep = TickStep(hi - lo, 5);
  for (double t = std::ceil(lo / ystep) * ystep; t <= hi; t += ystep) {
    out += "<line x1=\"" + Num(x0 + kLeft) + "\" x2=\"" + Num(x0 + kLeft + w) + "\" y1=\"" +
           Num(py(t)) + "\" y2=\"" + Num(py(t)) + "\" stroke=\"#ddd\"/>\n";
    out += "<text x=\"" + Num(x0 + kLeft - 5) + "\" y=\"" + Num(py(t) + 4) +
           "\" text-anchor=\"end\">" + Tick(t) + "</text>\n";
  }
  const double xstep = std::max(1.0, TickStep(static_cast<double>(n), 6));
  for (double t = 1; t <= static_cast<double>(n); t += xstep) {
    out += "<text x=\"" + Num(px(t)) + "\" y=\"" + Num(kTop + h + 16) +
           "\" text-anchor=\"middle\">" + Tick(t) + "</text>\n";
  }
  out += "<text x=\"" + Num(x0 + kLeft + w / 2) + "\" y=\"" + Num(kPanelHeight - 8) +
         "\" text-anchor=\"middle\">" + Escape(p.x_label) + "</text>\n";
  for (const Series& s : p.series) {
    std::string points;
    for (size_t k = 0; k < s.y.size(); ++k) {
      if (!std::isfinite(s.y[k])) continue;
      points += Num(px(static_cast<double>(k + 1))) + "," + Num(py(s.y[k])) + " ";
    }
    out += "<polyline fill=\"none\" stroke=\"" + std::string(kPalette[s.color % 8]) +
           (s.faint ? "\" stroke-width=\"0.8\" stroke-opacity=\"0.35\"" : "\" stroke-width=\"2\"") +
           " points=\"" + points + "\"><title>" + Escape(s.label) + "</title></polyline>\n";
  }
  return out;
}

}  // namespace

std::string SvgChart(const std::vector<Panel>& panels) {
  std::vector<std::pair<std::string, int>> legend;
  for (const Panel& p : panels) {
    for (const Series& s : p.series) {
      if (s.faint || s.label.empty()) continue;
      if (std::find(legend.begin(), legend.end(), std::make_pair(s.label, s.color)) ==
          legend.end()) {
        legend.emplace_back(s.label, s.color);
      }
    }
  }
  const int width = kPanelWidth * static_cast<int>(std::max<size_t>(1, panels.size()));
  const int height = kPanelHeight + 20 * static_cast<int>(legend.size()) + 10;
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"" +
      std::to_string(width) + "\" height=\"" + std::to_string(height) +
      "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" " +
      "height=\"100%\" fill=\"white\"/>\n";
  for (size_t k = 0; k < panels.size(); ++k) {
    out += DrawPanel(panels[k], static_cast<int>(k) * kPanelWidth);
  }
  for (size_t k = 0; k < legend.size(); ++k) {
    const int y = kPanelHeight + 12 + 20 * static_cast<int>(k);
    out += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(kLeft + 30) +
           "\" y1=\"" + std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"" +
           kPalette[legend[k].second % 8] + "\" stroke-width=\"2\"/>\n";
    out += "<text x=\"" + std::to_string(kLeft + 38) + "\" y=\"" + std::to_string(y + 4) + "\">" +
           Escape(legend[k].first) + "</text>\n";
  }
  return out + "</svg>\n";
}

std::string SweepCurvesSvg(const std::vector<SweepRun>& runs) {
  Panel mrr{"test MRR", "epoch", {}}, mse{"test MSE", "epoch", {}};
  std::vector<std::string> configs;
  for (const SweepRun& r : runs) {
    if (std::find(configs.begin(), configs.end(), r.config) == configs.end()) {
      configs.push_back(r.config);
    }
  }
  for (size_t c = 0; c < configs.size(); ++c) {
    std::vector<double> sum_mrr, sum_mse;
    std::vector<int> count;
    for (const SweepRun& r : runs) {
      if (r.config != configs[c]) continue;
      Series a{configs[c] + " seed " + std::to_string(r.seed), {}, static_cast<int>(c), true};
      Series b = a;
      for (size_t e = 0; e < r.epochs.size(); ++e) {
        a.y.push_back(r.epochs[e].eval.mrr);
        b.y.push_back(r.epochs[e].eval.mse);
        if (sum_mrr.size() <= e) sum_mrr.push_back(0), sum_mse.push_back(0), count.push_back(0);
        sum_mrr[e] += r.epochs[e].eval.mrr;
        sum_mse[e] += r.epochs[e].eval.mse;
        ++count[e];
      }
      mrr.series.push_back(std::move(a));
      mse.series.push_back(std::move(b));
    }
    Series mean_mrr{configs[c], {}, static_cast<int>(c), false};
    Series mean_mse = mean_mrr;
    for (size_t e = 0; e < count.size(); ++e) {
      mean_mrr.y.push_back(sum_mrr[e] / count[e]);
      mean_mse.y.push_back(sum_mse[e] / count[e]);
    }
    mrr.series.push_back(std::move(mean_mrr));
    mse.series.push_back(std::move(mean_mse));
  }
  return SvgChart({mrr, mse});
}

}  // namespace mtrec
