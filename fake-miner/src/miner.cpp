// The mock xmrig's network side: see miner.hpp. One session coroutine per connection attempt;
// name resolution runs on a detached thread so SIGTERM never waits for a slow DNS timeout.
#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange without including it

#include "miner.hpp"

#include <netdb.h>

#include <boost/asio.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "burner.hpp"
#include "hex.hpp"
#include "protocol.hpp"

namespace fakeminer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ojson = nlohmann::ordered_json;

std::string agent_string() {
  return std::string("XMRig/") + kXmrigVersion + " (Linux x86_64) libuv/1.43.0 gcc/12.2.0";
}

namespace {
// Algorithms real xmrig 6.22 knows; all are "enabled" in the mock (it never computes them).
const char* const kAlgorithms[] = {
    "rx/0", "rx/wow", "rx/arq", "rx/graft", "rx/sfx", "rx/keva", "rx/yada", "cn/0", "cn/1", "cn/2", "cn/r",
    "cn/fast", "cn/half", "cn/xao", "cn/rto", "cn/rwz", "cn/zls", "cn/double", "cn/ccx", "cn-lite/0",
    "cn-lite/1", "cn-heavy/0", "cn-heavy/tube", "cn-heavy/xhv", "cn-pico", "cn-pico/tlo", "cn/upx2",
    "argon2/chukwa", "argon2/chukwav2", "argon2/ninja", "ghostrider"};
bool known_algorithm(const std::string& a) {
  for (const char* k : kAlgorithms)
    if (a == k) return true;
  return false;
}
// xmrig's kResponseTimeout: a request unanswered this long means the connection is dead.
constexpr auto kResponseTimeout = std::chrono::seconds(20);
constexpr std::size_t kMaxLine = 64 * 1024;
}  // namespace

JobCheck check_job(const nlohmann::json& j, const std::optional<std::string>& pool_algo) {
  JobCheck out;
  if (!j.is_object()) return out.code = 2, out;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
  };
  out.job.job_id = str("job_id");
  if (out.job.job_id.empty()) return out.code = 3, out;
  out.job.blob = str("blob");
  const std::size_t blob_bytes = out.job.blob.size() / 2;
  if (!stratum::is_hex(out.job.blob) || blob_bytes < 76 || blob_bytes > 408) return out.code = 4, out;
  out.job.target = str("target");
  auto diff = stratum::difficulty_from_target(out.job.target);
  if (!diff || *diff == 0) return out.code = 5, out;
  out.diff = *diff;
  out.job.algo = str("algo");
  if (out.job.algo.empty() && pool_algo) out.job.algo = *pool_algo;
  if (out.job.algo.empty() || !known_algorithm(out.job.algo)) {
    out.detail = out.job.algo.empty() ? "unknown algorithm, make sure you set \"algo\" or \"coin\" option"
                                      : "incompatible/disabled algorithm " + out.job.algo + " detected, reconnect";
    return out.code = 6, out;
  }
  if (auto h = j.find("height"); h != j.end() && h->is_number_integer() && h->get<std::int64_t>() >= 0)
    out.job.height = h->get<std::uint64_t>();
  out.job.seed_hash = str("seed_hash");
  if (out.job.algo.rfind("rx/", 0) == 0 && (out.job.seed_hash.size() != 64 || !stratum::is_hex(out.job.seed_hash)))
    return out.code = 7, out;
  return out;
}

JobCheck check_login_result(const nlohmann::json& result, const std::optional<std::string>& pool_algo,
                            std::string* session) {
  JobCheck out;
  auto id = result.is_object() ? result.find("id") : result.end();
  if (!result.is_object() || id == result.end() || !id->is_string() || id->get<std::string>().empty())
    return out.code = 1, out;
  if (session) *session = id->get<std::string>();
  auto job = result.find("job");
  return check_job(job == result.end() ? nlohmann::json() : *job, pool_algo);
}

bool is_critical_error(const std::string& message) {
  auto starts = [&](const char* p) { return strncasecmp(message.c_str(), p, std::strlen(p)) == 0; };
  return starts("Unauthenticated") || starts("your IP is banned") || starts("IP Address currently banned") ||
         starts("Invalid job id");
}

std::string uv_style_error(int e, bool resolver) {
  if (resolver) {
    switch (e) {
      case EAI_NONAME: return "unknown node or service";
      case EAI_AGAIN: return "temporary failure";
      case EAI_FAIL: return "permanent failure";
#ifdef EAI_NODATA
      case EAI_NODATA: return "no address";
#endif
      case EAI_MEMORY: return "out of memory";
      case EAI_SERVICE: return "service not available for socket type";
      case EAI_FAMILY: return "ai_family not supported";
      default: return gai_strerror(e);
    }
  }
  switch (e) {
    case ECONNREFUSED: return "connection refused";
    case ETIMEDOUT: return "connection timed out";
    case EHOSTUNREACH: return "host is unreachable";
    case ENETUNREACH: return "network is unreachable";
    case ECONNRESET: return "connection reset by peer";
    case ECONNABORTED: return "software caused connection abort";
    case EPIPE: return "broken pipe";
    default: {
      std::string s = std::strerror(e);
      if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
      return s;
    }
  }
}

namespace {

struct Pending {
  enum class Kind { login, submit, keepalived } kind;
  std::uint64_t diff = 0;
  Clock::time_point sent;
};

struct Conn {
  explicit Conn(asio::io_context& io) : sock(io), timer(io), reader(kMaxLine) {}
  tcp::socket sock;
  asio::steady_timer timer;
  stratum::LineReader reader;
  std::deque<std::string> outq;
  bool writing = false, closed = false, timed_out = false, logged_in = false, keepalive = false;
  std::string session, endpoint, ip;
  std::map<std::uint64_t, Pending> pending;
  std::uint64_t next_id = 1;
  Clock::time_point last_recv = Clock::now();
};
using ConnPtr = std::shared_ptr<Conn>;

// Lets detached resolver threads post back only while the io_context still exists.
struct Gate {
  std::mutex mu;
  asio::io_context* io = nullptr;
};

struct Resolved {
  int err = 0;
  std::vector<tcp::endpoint> endpoints;
};

}  // namespace

struct Miner::Impl : std::enable_shared_from_this<Miner::Impl> {
  Impl(asio::io_context& io_, MinerConfig c, Log& l)
      : io(io_), cfg(std::move(c)), log(l), retry_timer(io_), sample_timer(io_), speed_timer(io_),
        gate(std::make_shared<Gate>()) {
    gate->io = &io;
  }
  asio::io_context& io;
  MinerConfig cfg;
  Log& log;
  asio::steady_timer retry_timer, sample_timer, speed_timer;
  std::shared_ptr<Gate> gate;
  std::unique_ptr<Burner> burner;
  HashrateTracker tracker;
  ConnPtr conn;
  bool stopping = false, no_pool_announced = false;
  std::uint64_t accepted = 0, rejected = 0, generation = 0;
  Clock::time_point started = Clock::now();

  void start() {
    std::weak_ptr<Impl> weak = shared_from_this();
    burner = std::make_unique<Burner>(
        cfg.cpu_millicores,
        [weak, &io = io](const FoundShare& s) {
          // Called on a burner thread; submitting happens on the io thread.
          asio::post(io, [weak, s] {
            if (auto self = weak.lock()) self->submit(s);
          });
        },
        cfg.process_name);
    if (cfg.burn_without_pool) burner->set_work(idle_work());
    asio::co_spawn(io, run_pools(shared_from_this()), asio::detached);
    sample();
    if (cfg.print_time > 0) schedule_speed();
  }

  Work idle_work() {
    return {"", std::string(152, '0'), 1ULL << 62, ++generation};  // burn, never "find" a share
  }

  void stop() {
    if (stopping) return;
    stopping = true;
    {
      std::lock_guard lk(gate->mu);
      gate->io = nullptr;
    }
    retry_timer.cancel();
    sample_timer.cancel();
    speed_timer.cancel();
    if (conn) close(conn);
    if (burner) burner->stop();
  }

  // ---- hashrate reporting ------------------------------------------------------------------
  std::int64_t ms_since_start() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  }
  void sample() {
    tracker.add(ms_since_start(), burner->total_hashes());
    sample_timer.expires_after(std::chrono::seconds(1));
    sample_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->stopping) self->sample();
    });
  }
  void schedule_speed() {
    speed_timer.expires_after(std::chrono::seconds(cfg.print_time));
    speed_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      auto& t = self->tracker;
      self->log.info("miner", speed_message(t.rate(10000), t.rate(60000), t.rate(900000), t.max()));
      if (self->cfg.talk_log) {
        auto speed = t.rate(60000);
        if (!speed) speed = t.rate(10000);
        self->log.raw(talk_line(speed, self->accepted, self->accepted + self->rejected));
      }
      self->schedule_speed();
    });
  }

  // ---- connection lifecycle ----------------------------------------------------------------
  static asio::awaitable<void> run_pools(std::shared_ptr<Impl> self) {
    std::size_t idx = 0;
    int failures = 0;
    while (!self->stopping) {
      const bool had_login = co_await self->session(self, self->cfg.pools[idx]);
      if (self->stopping) break;
      failures = had_login ? 0 : failures + 1;
      if (self->cfg.pools.size() > 1 && failures >= std::max(1, self->cfg.retries)) {
        idx = (idx + 1) % self->cfg.pools.size();  // fail over like xmrig's strategy
        failures = 0;
      }
      boost::system::error_code ec;
      self->retry_timer.expires_after(std::chrono::seconds(self->cfg.retry_pause));
      co_await self->retry_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<std::shared_ptr<Resolved>> resolve(const std::string& host, std::uint16_t port) {
    auto result = std::make_shared<Resolved>();
    auto done = std::make_shared<asio::steady_timer>(io, Clock::time_point::max());
    std::weak_ptr<asio::steady_timer> weak_done = done;
    std::thread([result, weak_done, g = gate, host, port] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      const std::string service = std::to_string(port);
      auto r = std::make_shared<Resolved>();
      r->err = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
      for (auto* p = res; p && r->err == 0; p = p->ai_next) {
        tcp::endpoint ep;
        std::memcpy(ep.data(), p->ai_addr, p->ai_addrlen);
        ep.resize(p->ai_addrlen);
        r->endpoints.push_back(ep);
      }
      if (res) freeaddrinfo(res);
      std::lock_guard lk(g->mu);
      if (!g->io) return;
      asio::post(*g->io, [result, r, weak_done] {
        *result = *r;
        if (auto t = weak_done.lock()) t->cancel();
      });
    }).detach();
    boost::system::error_code ec;
    co_await done->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return result;
  }

  // `keep` holds this object alive for the whole coroutine.
  asio::awaitable<bool> session(std::shared_ptr<Impl> keep, const PoolConfig& pool) {
    (void)keep;
    const std::string ep = pool.parsed.endpoint();
    const std::string tag = "[" + ep + "] ";
    auto resolved = co_await resolve(pool.parsed.host, pool.parsed.port);
    if (stopping) co_return false;
    if (resolved->err != 0 || resolved->endpoints.empty()) {
      log.info("net", tag + "getaddrinfo error: \"" + uv_style_error(resolved->err ? resolved->err : EAI_NONAME, true) + "\"");
      lost_pool();
      co_return false;
    }
    auto c = std::make_shared<Conn>(io);
    c->endpoint = ep;
    conn = c;
    // The connect deadline: a NetworkPolicy DROP never answers, so without it we would wait for
    // the kernel's SYN retries (~2 min); with it the log says "connection timed out" promptly.
    c->timer.expires_after(std::chrono::seconds(cfg.connect_timeout));
    c->timer.async_wait([c](boost::system::error_code ec) {
      if (ec) return;
      c->timed_out = true;
      c->sock.close(ec);
    });
    boost::system::error_code ec;
    co_await asio::async_connect(c->sock, resolved->endpoints, asio::redirect_error(asio::use_awaitable, ec));
    c->timer.cancel();
    if (stopping) co_return false;
    if (ec || c->timed_out) {
      const std::string why = c->timed_out ? "connection timed out" : uv_style_error(ec.value(), false);
      log.info("net", tag + "connect error: \"" + why + "\"");
      c->closed = true;
      lost_pool();
      co_return false;
    }
    c->sock.set_option(tcp::no_delay(true), ec);
    c->ip = c->sock.remote_endpoint(ec).address().to_string();
    ojson params{{"login", pool.user}, {"pass", pool.pass}, {"agent", agent_string()}};
    if (!pool.rig_id.empty()) params["rigid"] = pool.rig_id;
    ojson algos = ojson::array();
    for (const char* a : kAlgorithms) algos.push_back(a);
    params["algo"] = algos;
    request(c, Pending::Kind::login, "login", params, 0);
    tick(c, pool);

    std::array<char, 4096> buf;
    while (!c->closed && !stopping) {
      std::size_t n = co_await c->sock.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (c->closed || stopping) break;
      if (ec) {
        // xmrig stays quiet about a plain EOF; other read errors are logged.
        if (ec != asio::error::eof) log.info("net", tag + "read error: \"" + uv_style_error(ec.value(), false) + "\"");
        break;
      }
      c->last_recv = Clock::now();
      if (!c->reader.feed(std::string_view(buf.data(), n))) {
        log.info("net", tag + "read error: \"line too long\"");
        break;
      }
      while (auto line = c->reader.next()) {
        if (c->closed) break;
        if (!line->empty()) handle(c, pool, *line);
      }
    }
    const bool had_login = c->logged_in;
    close(c);
    if (!stopping) lost_pool();
    co_return had_login;
  }

  // Keepalive and the response deadline, checked once a second per connection.
  void tick(const ConnPtr& c, const PoolConfig& pool) {
    c->timer.expires_after(std::chrono::seconds(1));
    c->timer.async_wait([self = shared_from_this(), c, &pool](boost::system::error_code ec) {
      if (ec || c->closed || self->stopping) return;
      const auto now = Clock::now();
      for (const auto& [id, p] : c->pending) {
        if (now - p.sent > kResponseTimeout) {
          self->log.info("net", "[" + c->endpoint + "] read error: \"connection timed out\"");
          self->close(c);
          return;
        }
      }
      if (c->logged_in && (pool.keepalive || c->keepalive) &&
          now - c->last_recv >= std::chrono::seconds(self->cfg.keepalive_interval)) {
        self->request(c, Pending::Kind::keepalived, "keepalived", ojson{{"id", c->session}}, 0);
        c->last_recv = now;  // one keepalived per quiet period, like xmrig's m_keepAlive reset
      }
      self->tick(c, pool);
    });
  }

  void request(const ConnPtr& c, Pending::Kind kind, const char* method, const ojson& params, std::uint64_t diff) {
    const std::uint64_t id = c->next_id++;
    c->pending[id] = Pending{kind, diff, Clock::now()};
    send(c, stratum::encode_request(id, method, params));
  }

  void send(const ConnPtr& c, std::string line) {
    if (c->closed) return;
    c->outq.push_back(std::move(line));
    if (!c->writing) write_next(c);
  }
  void write_next(const ConnPtr& c) {
    if (c->outq.empty() || c->closed) {
      c->writing = false;
      return;
    }
    c->writing = true;
    asio::async_write(c->sock, asio::buffer(c->outq.front()), [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
      if (c->closed) return;
      if (ec) {
        self->close(c);
        return;
      }
      c->outq.pop_front();
      self->write_next(c);
    });
  }

  void close(const ConnPtr& c) {
    if (c->closed) return;
    c->closed = true;
    boost::system::error_code ec;
    c->timer.cancel();
    c->sock.shutdown(tcp::socket::shutdown_both, ec);
    c->sock.close(ec);
  }

  void lost_pool() {
    if (burner) {
      if (cfg.burn_without_pool) burner->set_work(idle_work());
      else burner->pause();
    }
    ++generation;  // shares of the old job are stale now
    if (!no_pool_announced) {
      log.info("net", "no active pools, stop mining");
      no_pool_announced = true;
    }
  }

  void set_job(const ConnPtr& c, const JobCheck& jc) {
    log.info("net", new_job_message(c->endpoint, jc.diff, jc.job.algo, jc.job.height));
    current_algo = jc.job.algo;
    burner->set_work({jc.job.job_id, jc.job.blob, jc.diff, ++generation});
  }
  std::string current_algo;

  void handle(const ConnPtr& c, const PoolConfig& pool, const std::string& line) {
    const std::string tag = "[" + c->endpoint + "] ";
    auto parsed = stratum::parse_message(line);
    if (std::holds_alternative<stratum::ProtocolError>(parsed)) {
      log.info("net", tag + "JSON decode failed");
      return;
    }
    auto& m = std::get<stratum::Message>(parsed);
    if (m.kind != stratum::Message::Kind::response) {
      if (m.method == "job") {
        auto jc = check_job(m.params, pool.algo);
        // A bad pushed job just drops the connection, without a "login error" line (CASES 3).
        if (jc.code != 0 || !c->logged_in) {
          close(c);
          return;
        }
        set_job(c, jc);
      }
      return;
    }
    if (!m.id.is_number_unsigned()) return;
    auto it = c->pending.find(m.id.get<std::uint64_t>());
    if (it == c->pending.end()) return;
    const Pending p = it->second;
    c->pending.erase(it);
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - p.sent).count());
    const bool is_error = m.error.is_object();
    const std::string err_msg = is_error && m.error.contains("message") && m.error["message"].is_string()
                                    ? m.error["message"].get<std::string>() : std::string("unknown error");
    switch (p.kind) {
      case Pending::Kind::login: {
        if (is_error) {
          const int code = m.error.contains("code") && m.error["code"].is_number_integer() ? m.error["code"].get<int>() : 0;
          log.info("net", tag + "error: \"" + err_msg + "\", code: " + std::to_string(code));
          close(c);
          return;
        }
        std::string session;
        auto jc = check_login_result(m.result, pool.algo, &session);
        if (jc.code != 0) {
          if (!jc.detail.empty()) log.info("net", tag + jc.detail);
          log.info("net", tag + "login error code: " + std::to_string(jc.code));
          close(c);
          return;
        }
        c->session = session;
        c->logged_in = true;
        if (auto ext = m.result.find("extensions"); ext != m.result.end() && ext->is_array())
          for (const auto& e : *ext) c->keepalive = c->keepalive || (e.is_string() && e == "keepalive");
        no_pool_announced = false;
        log.info("net", "use pool " + c->endpoint + "  " + c->ip);
        set_job(c, jc);
        return;
      }
      case Pending::Kind::submit:
        if (is_error) {
          ++rejected;
          log.info("cpu", rejected_message(accepted, rejected, p.diff, err_msg, ms));
          if (is_critical_error(err_msg)) close(c);  // xmrig closes and logs in again
        } else {
          ++accepted;
          log.info("cpu", accepted_message(accepted, rejected, p.diff, ms));
        }
        return;
      case Pending::Kind::keepalived:
        // xmrig's Client::parseResponse: an error reply to anything but a submit is logged as
        // `[pool] error: "<message>", code: <code>` (a pool without keepalived support answers
        // "Invalid method", CASES 1); only a critical message closes the connection.
        if (is_error) {
          const int code = m.error.contains("code") && m.error["code"].is_number_integer() ? m.error["code"].get<int>() : 0;
          log.info("net", tag + "error: \"" + err_msg + "\", code: " + std::to_string(code));
          if (is_critical_error(err_msg)) close(c);
        }
        return;
    }
  }

  void submit(const FoundShare& s) {
    if (stopping || !conn || conn->closed || !conn->logged_in || s.generation != generation) return;
    ojson params{{"id", conn->session}, {"job_id", s.job_id}, {"nonce", stratum::nonce_hex(s.nonce)},
                 {"result", stratum::result_hex(s.hash)}, {"algo", current_algo}};
    request(conn, Pending::Kind::submit, "submit", params, s.diff);
  }
};

Miner::Miner(asio::io_context& io, MinerConfig cfg, Log& log) : impl_(std::make_shared<Impl>(io, std::move(cfg), log)) {}
Miner::~Miner() { impl_->stop(); }
void Miner::start() { impl_->start(); }
void Miner::stop() { impl_->stop(); }

}  // namespace fakeminer
