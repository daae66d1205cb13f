// The in-process rate that bench/serve/run.sh sets beside the server's: a
// loaded model's Model::Recommend(user, k) called in a loop by `callers`
// threads for `seconds`, printing calls/s and the p50/p99 latency of a call.
//
//   build/mtrec_serve_recommend_rate MODEL USER [THREADS] [SECONDS] [K] [CALLERS]
//
// THREADS is the model's (as `mtrec serve --threads`), CALLERS the threads
// calling it at once (default THREADS). Public API only.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "mtrec/model.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL USER [THREADS] [SECONDS] [K] [CALLERS]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 5;
  const int k = argc > 5 ? std::atoi(argv[5]) : 10;
  const int callers = argc > 6 ? std::atoi(argv[6]) : threads;
  mtrec::LoadOptions options;
  options.threads = threads;
  mtrec::Result<mtrec::Model> model = mtrec::Model::Load(argv[1], options);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().message().c_str());
    return 1;
  }
  const mtrec::Result<mtrec::UserId> user = model->FindUser(argv[2]);
  if (!user.ok() || !model->Recommend(*user, k).ok()) {  // also reads the known interactions
    std::fprintf(stderr, "user %s: cannot recommend\n", argv[2]);
    return 1;
  }
  using Clock = std::chrono::steady_clock;
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(callers);
  std::vector<std::thread> pool;
  const Clock::time_point start = Clock::now();
  for (int c = 0; c < callers; ++c) {
    pool.emplace_back([&, c] {
      while (!stop.load(std::memory_order_relaxed)) {
        const Clock::time_point t = Clock::now();
        const auto top = model->Recommend(*user, k);
        latencies[c].push_back(std::chrono::duration<double>(Clock::now() - t).count());
        if (!top.ok()) std::abort();
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : pool) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const auto at = [&](double q) {
    return all[static_cast<size_t>(q * static_cast<double>(all.size() - 1))];
  };
  std::printf("in-process Model::Recommend: %.0f calls/s, p50 %.3f ms, p99 %.3f ms (%d callers, "
              "%d model threads, k=%d)\n",
              static_cast<double>(all.size()) / elapsed, at(0.5) * 1e3, at(0.99) * 1e3, callers,
              threads, k);
  return 0;
}
