// CPU burner and hashrate windows: see burner.hpp.
#include "burner.hpp"

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "job.hpp"

namespace fakeminer {

namespace {
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// If the node cannot give us our share for a while, forgive the debt instead of bursting at
// 100% later: the load should look steady, like a real miner under a CPU limit.
constexpr double kMaxDebtSeconds = 0.2;
// Burn in slices of at most this much CPU before re-checking the schedule and the flags.
constexpr double kSliceSeconds = 0.002;
}  // namespace

Burner::Burner(int millicores, ShareFn on_share, std::string thread_name)
    : on_share_(std::move(on_share)), thread_name_(std::move(thread_name)) {
  const std::size_t n = static_cast<std::size_t>((millicores + 999) / 1000);
  fraction_ = static_cast<double>(millicores) / (1000.0 * static_cast<double>(n));
  for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this, i] { loop(i); });
}

Burner::~Burner() { stop(); }

void Burner::set_work(Work w) {
  {
    std::lock_guard lk(mu_);
    work_ = std::move(w);
    active_ = true;
  }
  cv_.notify_all();
}

void Burner::pause() {
  {
    std::lock_guard lk(mu_);
    active_ = false;
  }
  cv_.notify_all();
}

void Burner::stop() {
  stop_ = true;
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void Burner::loop(std::size_t index) {
  // Threads inherit the masquerade name from their creator; set it again to be explicit.
  if (!thread_name_.empty()) prctl(PR_SET_NAME, thread_name_.substr(0, 15).c_str(), 0, 0, 0);
  const std::uint32_t nonce_base = static_cast<std::uint32_t>(index) << 28;
  Work work;
  std::uint64_t seed = 0, tgt = 0;
  std::uint32_t nonce = nonce_base;
  // Thread CPU spent while active in earlier activations; the hash count derives from the total
  // thread CPU while active (telescoping clock readings), so CPU that a lazily updated thread
  // clock reports late (seen under gVisor) is still counted.
  double prior_active = 0;
  std::uint64_t hashes_done = 0;
  std::uint64_t spin = index + 1;  // the harmless busy work
  while (!stop_) {
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stop_ || active_; });
      if (stop_) break;
    }
    double w0 = wall_seconds(), c0 = thread_cpu_seconds();
    double last_cpu = c0;
    for (;;) {
      {
        std::lock_guard lk(mu_);
        if (!active_ || stop_) break;
        if (work_.generation != work.generation || work.blob.empty()) {
          work = work_;
          seed = stratum::blob_seed(work.blob);
          tgt = stratum::target64(work.diff);
          nonce = nonce_base;
        }
      }
      const double cpu = thread_cpu_seconds();
      last_cpu = cpu;
      const double want = fraction_ * (wall_seconds() - w0);
      const double have = cpu - c0;
      if (want - have > kMaxDebtSeconds) {
        w0 = wall_seconds() - have / fraction_;  // forgive the debt (see kMaxDebtSeconds)
        continue;
      }
      if (have < want) {
        const double until = cpu + std::min(want - have, kSliceSeconds);
        double now = cpu;
        while (now < until && !stop_) {
          for (int i = 0; i < 256; ++i) spin = spin * 6364136223846793005ULL + 1442695040888963407ULL;
          __asm__ __volatile__("" : : "r"(spin));  // keep the busy work from being optimised away
          now = thread_cpu_seconds();
        }
        last_cpu = now;
        const auto due = static_cast<std::uint64_t>((prior_active + now - c0) * kHashesPerCpuSecond);
        for (; hashes_done < due; ++hashes_done) {
          const std::uint64_t h = stratum::fake_hash(seed, nonce);
          if (h < tgt && on_share_) on_share_({work.job_id, nonce, h, work.diff, work.generation});
          ++nonce;
          hashes_.fetch_add(1, std::memory_order_relaxed);
        }
      } else {
        // Ahead of schedule: sleep until the schedule catches up (interruptible).
        const double ahead = (have - want) / fraction_;
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, std::chrono::duration<double>(std::clamp(ahead, 0.0002, 0.05)),
                     [&] { return stop_ || !active_; });
      }
    }
    prior_active += last_cpu - c0;
  }
}

void HashrateTracker::add(std::int64_t ms, std::uint64_t total) {
  samples_.emplace_back(ms, total);
  while (samples_.size() > 2 && samples_.front().first < ms - 16 * 60 * 1000) samples_.pop_front();
  if (auto r = rate(10000); r && (!max_ || *r > *max_)) max_ = r;
}

std::optional<double> HashrateTracker::rate(std::int64_t window_ms) const {
  if (samples_.size() < 2) return std::nullopt;
  const auto& last = samples_.back();
  // Newest sample at least window_ms older than the last one.
  for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
    if (last.first - it->first >= window_ms) {
      const double secs = static_cast<double>(last.first - it->first) / 1000.0;
      return static_cast<double>(last.second - it->second) / secs;
    }
  }
  return std::nullopt;
}

}  // namespace fakeminer
