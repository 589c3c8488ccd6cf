// EventLog and Stats: the evidence the harness reads (stdout JSON lines, /stats, /metrics).
#include <cmath>
#include <sstream>

#include "clock.hpp"
#include "pool.hpp"

namespace fakepool {

void EventLog::emit(std::string_view event, const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json j;
  j["ts"] = stratum::iso8601_utc_ms();
  j["event"] = std::string(event);
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  // Invalid UTF-8 from a hostile client must not throw out of the server: replace it.
  std::string line = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard lk(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void Stats::record_share(const std::string& worker, const std::string& remote_ip, bool accepted) {
  auto& w = workers_[worker];
  auto& r = remotes_[remote_ip];
  (accepted ? total_.accepted : total_.rejected)++;
  (accepted ? w.count.accepted : w.count.rejected)++;
  (accepted ? r.accepted : r.rejected)++;
  const auto now = std::chrono::system_clock::now();
  w.last_share = stratum::iso8601_utc_ms(now);
  w.remote = remote_ip;
  last_share_ = w.last_share;
  last_share_unix_ = std::chrono::duration<double>(now.time_since_epoch()).count();
}

nlohmann::json Stats::to_json() const {
  nlohmann::json workers = nlohmann::json::object(), remotes = nlohmann::json::object();
  for (const auto& [name, w] : workers_)
    workers[name] = {{"accepted", w.count.accepted}, {"rejected", w.count.rejected},
                     {"last_share", w.last_share}, {"remote", w.remote}};
  for (const auto& [ip, c] : remotes_) remotes[ip] = {{"accepted", c.accepted}, {"rejected", c.rejected}};
  return {{"miners_online", miners_online_},
          {"shares", {{"accepted", total_.accepted}, {"rejected", total_.rejected}}},
          {"workers", workers},
          {"remotes", remotes},
          {"last_share", last_share_ ? nlohmann::json(*last_share_) : nlohmann::json(nullptr)}};
}

namespace {
// Prometheus label values escape backslash, quote and newline.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}
}  // namespace

std::string Stats::to_prometheus() const {
  std::ostringstream o;
  o << "# HELP fake_pool_miners_online Miners logged in and connected.\n"
       "# TYPE fake_pool_miners_online gauge\n"
       "fake_pool_miners_online " << miners_online_ << "\n"
       "# HELP fake_pool_shares_total Shares submitted, by status.\n"
       "# TYPE fake_pool_shares_total counter\n"
       "fake_pool_shares_total{status=\"accepted\"} " << total_.accepted << "\n"
       "fake_pool_shares_total{status=\"rejected\"} " << total_.rejected << "\n"
       "# HELP fake_pool_worker_shares_total Shares per worker (rig id), by status.\n"
       "# TYPE fake_pool_worker_shares_total counter\n";
  for (const auto& [name, w] : workers_) {
    o << "fake_pool_worker_shares_total{worker=\"" << label(name) << "\",status=\"accepted\"} " << w.count.accepted << "\n";
    o << "fake_pool_worker_shares_total{worker=\"" << label(name) << "\",status=\"rejected\"} " << w.count.rejected << "\n";
  }
  o << "# HELP fake_pool_remote_shares_total Shares per remote address, by status.\n"
       "# TYPE fake_pool_remote_shares_total counter\n";
  for (const auto& [ip, c] : remotes_) {
    o << "fake_pool_remote_shares_total{remote=\"" << label(ip) << "\",status=\"accepted\"} " << c.accepted << "\n";
    o << "fake_pool_remote_shares_total{remote=\"" << label(ip) << "\",status=\"rejected\"} " << c.rejected << "\n";
  }
  o << "# HELP fake_pool_last_share_timestamp_seconds Unix time of the last share (0 if none).\n"
       "# TYPE fake_pool_last_share_timestamp_seconds gauge\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", last_share_unix_);
  o << "fake_pool_last_share_timestamp_seconds " << buf << "\n";
  return o.str();
}

}  // namespace fakepool
