// xmrig 6.22.2 log lines (CASES 5), colour codes stripped: "[YYYY-MM-DD HH:MM:SS.mmm]  tag      msg"
// where the tag is padded to 8 columns. Pure formatting functions are separate from the sink so
// tests can check them byte for byte.
#pragma once
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace fakeminer {

// Hashrate::format: not a normal number (NaN, 0, missing window) -> "n/a"; < 100 -> "%04.2f";
// otherwise "%03.1f".
std::string format_hashrate(std::optional<double> h);
// "speed 10s/60s/15m A B C H/s max M H/s"; switches every value to MH/s when any is >= 1e6.
std::string speed_message(std::optional<double> s10, std::optional<double> s60, std::optional<double> s15m,
                          std::optional<double> max);

// Difficulty text. fake-miner pins xmrig v6.22.2's plain integer ("diff 1558971", as in the real
// 6.x logs of xmrig#1743). xmrig's later NetworkState::scaleDiff shortening (>=1e6 "K",
// >=1e8 "M", >=1e11 "G") is available for comparison but not used in log lines.
enum class DiffStyle { plain, scaled };
std::string diff_text(std::uint64_t diff, DiffStyle style = DiffStyle::plain);

std::string new_job_message(const std::string& endpoint, std::uint64_t diff, const std::string& algo,
                            std::uint64_t height);
std::string accepted_message(std::uint64_t accepted, std::uint64_t rejected, std::uint64_t diff, std::uint64_t ms);
std::string rejected_message(std::uint64_t accepted, std::uint64_t rejected, std::uint64_t diff,
                             const std::string& error, std::uint64_t ms);
// The talk's compact line: "miner speed=1380 H/s shares=1/1" (accepted/total).
std::string talk_line(std::optional<double> speed, std::uint64_t accepted, std::uint64_t total);

// Prefix for a line: "[2026-06-02 10:00:00.123]  net      ".
std::string line_prefix(std::string_view tag);

// Thread-safe sink; one fwrite + fflush per line so `kubectl logs` sees lines as they happen.
class Log {
 public:
  explicit Log(std::FILE* out) : out_(out) {}
  void info(std::string_view tag, std::string_view msg);  // timestamped, tagged
  void raw(std::string_view text);                          // as is, plus '\n'

 private:
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace fakeminer
