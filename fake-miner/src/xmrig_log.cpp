// xmrig log formatting: see xmrig_log.hpp.
#include "xmrig_log.hpp"

#include <cmath>

#include "clock.hpp"

namespace fakeminer {

std::string format_hashrate(std::optional<double> h) {
  if (!h || !std::isnormal(*h)) return "n/a";
  char buf[64];
  if (*h < 100.0) std::snprintf(buf, sizeof buf, "%04.2f", *h);
  else std::snprintf(buf, sizeof buf, "%03.1f", *h);
  return buf;
}

std::string speed_message(std::optional<double> s10, std::optional<double> s60, std::optional<double> s15m,
                          std::optional<double> max) {
  auto big = [](std::optional<double> v) { return v && *v >= 1e6; };
  const bool mega = big(s10) || big(s60) || big(s15m) || big(max);
  auto scale = [&](std::optional<double> v) -> std::optional<double> {
    if (v && mega) return *v * 1e-6;
    return v;
  };
  const char* unit = mega ? "MH/s" : "H/s";
  return "speed 10s/60s/15m " + format_hashrate(scale(s10)) + " " + format_hashrate(scale(s60)) + " " +
         format_hashrate(scale(s15m)) + " " + unit + " max " + format_hashrate(scale(max)) + " " + unit;
}

std::string diff_text(std::uint64_t diff, DiffStyle style) {
  if (style == DiffStyle::scaled) {
    if (diff >= 100000000000ULL) return std::to_string(diff / 1000000000ULL) + "G";
    if (diff >= 100000000ULL) return std::to_string(diff / 1000000ULL) + "M";
    if (diff >= 1000000ULL) return std::to_string(diff / 1000ULL) + "K";
  }
  return std::to_string(diff);
}

std::string new_job_message(const std::string& endpoint, std::uint64_t diff, const std::string& algo,
                            std::uint64_t height) {
  std::string m = "new job from " + endpoint + " diff " + diff_text(diff) + " algo " + algo;
  if (height) m += " height " + std::to_string(height);  // Network::setJob omits a zero height
  return m;
}

std::string accepted_message(std::uint64_t accepted, std::uint64_t rejected, std::uint64_t diff, std::uint64_t ms) {
  return "accepted (" + std::to_string(accepted) + "/" + std::to_string(rejected) + ") diff " + diff_text(diff) +
         " (" + std::to_string(ms) + " ms)";
}

std::string rejected_message(std::uint64_t accepted, std::uint64_t rejected, std::uint64_t diff,
                             const std::string& error, std::uint64_t ms) {
  return "rejected (" + std::to_string(accepted) + "/" + std::to_string(rejected) + ") diff " + diff_text(diff) +
         " \"" + error + "\" (" + std::to_string(ms) + " ms)";
}

std::string talk_line(std::optional<double> speed, std::uint64_t accepted, std::uint64_t total) {
  const long long h = speed && std::isfinite(*speed) ? std::llround(*speed) : 0;
  return "miner speed=" + std::to_string(h) + " H/s shares=" + std::to_string(accepted) + "/" + std::to_string(total);
}

std::string line_prefix(std::string_view tag) {
  std::string t(tag);
  if (t.size() < 8) t.resize(8, ' ');
  return "[" + stratum::xmrig_timestamp() + "]  " + t + " ";
}

void Log::info(std::string_view tag, std::string_view msg) {
  std::string line = line_prefix(tag);
  line.append(msg);
  raw(line);
}

void Log::raw(std::string_view text) {
  std::lock_guard lk(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace fakeminer
