// Parse throughput and peak memory of LoadDataset on an ML-25M-sized
// ratings.csv (generated: 25,000,095 ratings, ~650 MB, same layout as ML-25M).
//
//   build/parse_ratings_bench [--dir DIR] [--lines N] [--repeats R] [--threads T] [--remap]
//                             [--dataset PATH]
//
// Generates DIR/ml-25m/ratings.csv once (kept for later runs), then loads it R
// times in this process and prints each time, the median, throughput, and the
// peak resident memory against the packed arrays (user, item, rating: 4 bytes
// each, timestamp: 8). Being named ml-25m/ratings.csv, the file is read as
// MovieLens data: raw ids, CSV with a header. --dataset times another file or
// archive instead (e.g. a zip of the generated file, to include decompression).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "mtrec/dataset.h"

namespace {

namespace fs = std::filesystem;

constexpr int64_t kMl25mRatings = 25'000'095;
constexpr int kMl25mUsers = 162'541;
constexpr int kMl25mMaxMovie = 209'171;

// Writes `lines` ratings in ML-25M's layout with a fixed seed.
bool Generate(const fs::path& path, int64_t lines) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  std::vector<char> buffer(size_t{1} << 20);
  size_t used = 0;
  const auto put = [&](std::string_view s) {
    if (used + s.size() > buffer.size()) {
      std::fwrite(buffer.data(), 1, used, out);
      used = 0;
    }
    std::memcpy(buffer.data() + used, s.data(), s.size());
    used += s.size();
  };
  put("userId,movieId,rating,timestamp\n");
  std::mt19937_64 rng(25);
  const int64_t per_user = std::max<int64_t>(1, lines / kMl25mUsers);
  char line[64];
  for (int64_t k = 0; k < lines; ++k) {
    const int64_t user = std::min<int64_t>(k / per_user + 1, kMl25mUsers);
    // Popular movies have small ids, as in MovieLens: a squared uniform.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto movie = static_cast<int64_t>(u * u * (kMl25mMaxMovie - 1)) + 1;
    const int half_stars = static_cast<int>(rng() % 10) + 1;
    const int64_t timestamp = 789'652'009 + static_cast<int64_t>(rng() % 785'000'000);
    const int n =
        std::snprintf(line, sizeof(line), "%lld,%lld,%d.%d,%lld\n", static_cast<long long>(user),
                      static_cast<long long>(movie), half_stars / 2, half_stars % 2 ? 5 : 0,
                      static_cast<long long>(timestamp));
    put(std::string_view(line, static_cast<size_t>(n)));
  }
  std::fwrite(buffer.data(), 1, used, out);
  return std::fclose(out) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / "mtrec-bench";
  int64_t lines = kMl25mRatings;
  int repeats = 3;
  int threads = 0;
  bool remap = false;
  std::string dataset;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--dir") {
      dir = value, ++i;
    } else if (arg == "--lines") {
      lines = std::atoll(value), ++i;
    } else if (arg == "--repeats") {
      repeats = std::max(1, std::atoi(value)), ++i;
    } else if (arg == "--threads") {
      threads = std::atoi(value), ++i;
    } else if (arg == "--dataset") {
      dataset = value, ++i;
    } else if (arg == "--remap") {
      remap = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--dir DIR] [--lines N] [--repeats R] [--threads T] [--remap] "
                   "[--dataset PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  const fs::path file = dataset.empty() ? dir / "ml-25m" / "ratings.csv" : fs::path(dataset);
  const std::string marker = file.string() + ".lines-" + std::to_string(lines);
  if (dataset.empty() && !fs::exists(marker)) {
    fs::create_directories(file.parent_path());
    std::fprintf(stderr, "generating %s (%lld ratings)...\n", file.c_str(),
                 static_cast<long long>(lines));
    if (!Generate(file, lines)) {
      std::fprintf(stderr, "cannot write %s\n", file.c_str());
      return 1;
    }
    std::FILE* m = std::fopen(marker.c_str(), "w");
    if (m != nullptr) std::fclose(m);
  }
  const double bytes = static_cast<double>(fs::file_size(file));
  mtrec::DataConfig config;
  config.dataset = file.string();
  config.threads = threads;
  if (remap) config.ids = mtrec::IdPolicy::kRemap;

  std::vector<double> seconds;
  int64_t rows = 0;
  for (int r = 0; r < repeats; ++r) {
    const double start = mtrec::bench::Now();
    mtrec::Result<mtrec::Dataset> data = mtrec::LoadDataset(config);
    seconds.push_back(mtrec::bench::Now() - start);
    if (!data.ok()) {
      std::fprintf(stderr, "%s\n", data.status().message().c_str());
      return 1;
    }
    rows = static_cast<int64_t>(data->interactions.size());
    std::printf("run %d: %.3f s\n", r + 1, seconds.back());
  }
  std::sort(seconds.begin(), seconds.end());  // for min and max below
  const double median = mtrec::bench::Median(seconds);
  const double packed_mib = static_cast<double>(rows) * (4 + 4 + 4 + 8) / (1 << 20);
  const double peak = mtrec::bench::PeakRssMiB();
  std::printf("file        %s: %.1f MB, %lld ratings\n", file.c_str(), bytes / 1e6,
              static_cast<long long>(rows));
  std::printf("parse       median %.3f s of %d (min %.3f, max %.3f), threads %s, ids %s\n", median,
              repeats, seconds.front(), seconds.back(),
              threads > 0 ? std::to_string(threads).c_str() : "all", remap ? "remapped" : "raw");
  std::printf("throughput  %.1f M lines/s, %.0f MB/s\n", static_cast<double>(rows) / median / 1e6,
              bytes / median / 1e6);
  std::printf("memory      peak RSS %.0f MiB, packed arrays %.0f MiB, ratio %.2f\n", peak,
              packed_mib, peak / packed_mib);
  return 0;
}
