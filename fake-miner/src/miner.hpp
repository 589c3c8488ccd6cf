// The mock xmrig's network side: job validation with xmrig's login error codes (CASES 3), and
// the Miner that connects, logs in, follows jobs, submits shares, keeps alive, and reconnects,
// logging everything in xmrig's words. Runs on one io_context thread; the Burner has its own.
#pragma once
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config.hpp"
#include "job.hpp"
#include "xmrig_log.hpp"

namespace fakeminer {

inline constexpr const char* kXmrigVersion = "6.22.2";
// What we tell the pool; it begins "XMRig/6.22.2" like the real thing.
std::string agent_string();

struct JobCheck {
  int code = 0;           // 0 ok; else xmrig's parseJob/parseLogin code 1..7
  std::string detail;     // extra line xmrig prints before the code (unknown algorithm, ...)
  stratum::Job job;
  std::uint64_t diff = 0;
};
// Validates a job object like xmrig's Client::parseJob; `pool_algo` is the pool config's algo,
// used when the job has none.
JobCheck check_job(const nlohmann::json& job, const std::optional<std::string>& pool_algo);
// Validates a login result (code 1 when result.id is missing, else check_job on result.job).
JobCheck check_login_result(const nlohmann::json& result, const std::optional<std::string>& pool_algo,
                            std::string* session);
// xmrig's isCriticalError: these rejects close the connection and log in again.
bool is_critical_error(const std::string& message);
// libuv's wording for a socket / resolver error, as xmrig prints it.
std::string uv_style_error(int err_no, bool resolver);

class Miner {
 public:
  Miner(boost::asio::io_context& io, MinerConfig cfg, Log& log);
  ~Miner();
  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The whole program behind main(). Returns the exit code (0 stop, 2 usage/config error).
int run(int argc, char** argv);

}  // namespace fakeminer
