// CPU burning and fake hashing. The burner spends exactly --cpu-millicores of CPU time (duty-
// cycled against each thread's CLOCK_THREAD_CPUTIME_ID, over ceil(N/1000) threads), counts
// 1380 fake hashes per CPU-second actually burned, and reports a share when a fake hash falls
// below the job's target. It burns only while it has work (a job), unless told otherwise.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fakeminer {

// About 1380 H/s per full core: the talk's "miner speed=1380 H/s" at ~1000m.
inline constexpr double kHashesPerCpuSecond = 1380.0;

struct Work {
  std::string job_id;
  std::string blob;
  std::uint64_t diff = 0;
  std::uint64_t generation = 0;  // bumps on every job so stale shares can be dropped
};

struct FoundShare {
  std::string job_id;
  std::uint32_t nonce = 0;
  std::uint64_t hash = 0;
  std::uint64_t diff = 0;
  std::uint64_t generation = 0;
};

class Burner {
 public:
  using ShareFn = std::function<void(const FoundShare&)>;
  Burner(int millicores, ShareFn on_share, std::string thread_name = {});
  ~Burner();
  Burner(const Burner&) = delete;
  Burner& operator=(const Burner&) = delete;

  void set_work(Work w);  // starts (or keeps) burning on this job
  void pause();           // no job: stop burning
  void stop();            // joins the threads; quick (threads poll the flag every ~1 ms)
  std::uint64_t total_hashes() const { return hashes_.load(std::memory_order_relaxed); }
  std::size_t threads() const { return threads_.size(); }
  double fraction_per_thread() const { return fraction_; }

 private:
  void loop(std::size_t index);
  std::vector<std::thread> threads_;
  double fraction_;
  ShareFn on_share_;
  std::string thread_name_;
  std::mutex mu_;
  std::condition_variable cv_;
  Work work_;
  bool active_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> hashes_{0};
};

// Rolling hashrate windows from (time, total hashes) samples, as xmrig reports them: a window
// that history does not cover yet has no value (printed "n/a").
class HashrateTracker {
 public:
  void add(std::int64_t ms, std::uint64_t total_hashes);
  std::optional<double> rate(std::int64_t window_ms) const;
  std::optional<double> max() const { return max_; }

 private:
  std::deque<std::pair<std::int64_t, std::uint64_t>> samples_;
  std::optional<double> max_;
};

}  // namespace fakeminer
