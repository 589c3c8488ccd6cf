// The fake-pool server: stratum connections (one read coroutine per connection, a deadline timer
// racing it, a bounded write queue), job rotation, and the small HTTP evidence endpoint.
#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <deque>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "hex.hpp"
#include "job.hpp"
#include "pool.hpp"
#include "protocol.hpp"
#include "wallet.hpp"

namespace fakepool {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ojson = nlohmann::ordered_json;

namespace {
// A miner that stops reading must not make us buffer replies without bound.
constexpr std::size_t kMaxQueuedBytes = 1 << 20;
constexpr std::size_t kMaxHttpRequest = 8192;
constexpr auto kHttpTimeout = std::chrono::seconds(5);
// Accept failures such as EMFILE would otherwise spin; back off briefly.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);

std::string ip_of(const tcp::endpoint& ep) { return ep.address().to_string(); }
std::string remote_of(const tcp::endpoint& ep) {
  return ep.address().is_v6() ? "[" + ip_of(ep) + "]:" + std::to_string(ep.port())
                              : ip_of(ep) + ":" + std::to_string(ep.port());
}
std::string str_field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}
}  // namespace

struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket s, std::size_t max_line)
      : sock(std::move(s)), timer(sock.get_executor()), reader(max_line) {}
  tcp::socket sock;
  asio::steady_timer timer;
  stratum::LineReader reader;
  std::string remote, remote_ip;
  Clock::time_point deadline;
  std::deque<std::string> outq;
  std::size_t queued = 0;
  bool writing = false, closed = false, close_after_flush = false;
  std::string close_reason;
  // Set by a successful login.
  std::string session, wallet, worker, rig_id, agent;
  // Nonces seen per job id (current and previous only), for "Duplicate share".
  std::unordered_map<std::string, std::unordered_set<std::uint32_t>> seen;
};
using ConnPtr = std::shared_ptr<Connection>;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io_, Options o, EventLog& l)
      : io(io_), opts(std::move(o)), log(l), stratum_acc(io_), http_acc(io_), job_timer(io_),
        rng(std::random_device{}()) {}

  asio::io_context& io;
  Options opts;
  EventLog& log;
  tcp::acceptor stratum_acc, http_acc;
  asio::steady_timer job_timer;
  std::mt19937_64 rng;
  bool stopping = false;
  std::set<ConnPtr> conns;
  std::unordered_map<std::string, Connection*> sessions;
  std::size_t http_conns = 0;
  Stats stats;
  stratum::Job current, previous;
  std::uint64_t job_seq = 0;
  std::string job_salt, seed_hash;

  // ---- jobs -------------------------------------------------------------------------------
  std::string random_hex(std::size_t bytes) {
    std::vector<std::uint8_t> b(bytes);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return stratum::to_hex(b);
  }

  void new_job() {
    previous = current;
    ++job_seq;
    stratum::Job j;
    // 76-byte hashing blob shaped like Monero's: major/minor version, then random; the nonce
    // bytes (offset 39..42) are zero so miners can fill them in.
    auto blob = stratum::from_hex("1010" + random_hex(74)).value();
    for (int i = 39; i < 43; ++i) blob[static_cast<std::size_t>(i)] = 0;
    j.blob = stratum::to_hex(blob);
    j.job_id = job_salt + std::to_string(job_seq);
    j.target = stratum::target_for_difficulty(opts.difficulty);
    j.height = 3100000 + job_seq;
    j.seed_hash = seed_hash;
    current = j;
  }

  void schedule_jobs() {
    job_timer.expires_after(std::chrono::seconds(opts.job_interval));
    job_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping) return;
      self->new_job();
      const std::string line = stratum::encode_notification("job", self->current.to_json());
      // send() may close a slow reader, which erases it from conns: iterate over a snapshot.
      std::vector<ConnPtr> miners;
      for (const auto& c : self->conns)
        if (!c->session.empty()) miners.push_back(c);
      for (const auto& c : miners) self->send(c, line);
      const std::size_t pushed = miners.size();
      self->log.emit("job", {{"job_id", self->current.job_id}, {"height", self->current.height},
                             {"difficulty", self->opts.difficulty}, {"miners", pushed}});
      self->schedule_jobs();
    });
  }

  // ---- connections ------------------------------------------------------------------------
  void start() {
    seed_hash = random_hex(32);
    job_salt = random_hex(2);
    new_job();
    previous = {};
    const auto addr = asio::ip::make_address(opts.listen);
    bind(stratum_acc, tcp::endpoint(addr, opts.port), "stratum");
    bind(http_acc, tcp::endpoint(addr, opts.http_port), "http");
    log.emit("listening", {{"stratum", stratum_acc.local_endpoint().port()},
                           {"http", http_acc.local_endpoint().port()},
                           {"listen", opts.listen},
                           {"difficulty", opts.difficulty},
                           {"job_interval", opts.job_interval},
                           {"max_connections", opts.max_connections}});
    asio::co_spawn(io, accept_stratum(shared_from_this()), asio::detached);
    asio::co_spawn(io, accept_http(shared_from_this()), asio::detached);
    schedule_jobs();
  }

  static void bind(tcp::acceptor& acc, const tcp::endpoint& ep, const char* what) {
    boost::system::error_code ec;
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error(std::string("cannot listen for ") + what + " on " + ep.address().to_string() +
                               ":" + std::to_string(ep.port()) + ": " + ec.message());
  }

  void stop() {
    if (stopping) return;
    stopping = true;
    boost::system::error_code ec;
    stratum_acc.close(ec);
    http_acc.close(ec);
    job_timer.cancel();
    auto copy = conns;
    for (const auto& c : copy) close(c, "shutdown");
  }

  static asio::awaitable<void> accept_stratum(std::shared_ptr<Impl> self) {
    asio::steady_timer backoff(self->io);
    while (!self->stopping) {
      boost::system::error_code ec;
      tcp::socket s(self->io);
      co_await self->stratum_acc.async_accept(s, asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping) co_return;
      if (ec) {
        backoff.expires_after(kAcceptBackoff);
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      tcp::endpoint peer = s.remote_endpoint(ec);
      if (ec) continue;  // peer already gone
      if (self->conns.size() >= self->opts.max_connections) {
        self->log.emit("disconnect", {{"remote", remote_of(peer)}, {"reason", "too many connections"}});
        s.close(ec);
        continue;
      }
      s.set_option(tcp::no_delay(true), ec);
      auto c = std::make_shared<Connection>(std::move(s), self->opts.max_line);
      c->remote = remote_of(peer);
      c->remote_ip = ip_of(peer);
      c->deadline = Clock::now() + std::chrono::seconds(self->opts.login_timeout);
      c->close_reason = "login timeout";
      self->conns.insert(c);
      self->log.emit("connect", {{"remote", c->remote}});
      self->arm(c);
      asio::co_spawn(self->io, serve(self, c), asio::detached);
    }
  }

  // The deadline races every read: the timer wakes at the deadline it was armed with, and
  // either closes the connection or re-arms at the (since extended) deadline.
  void arm(const ConnPtr& c) {
    c->timer.expires_at(c->deadline);
    c->timer.async_wait([self = shared_from_this(), c](boost::system::error_code ec) {
      if (ec || c->closed) return;
      if (Clock::now() >= c->deadline) self->close(c, c->close_reason);
      else self->arm(c);
    });
  }

  static asio::awaitable<void> serve(std::shared_ptr<Impl> self, ConnPtr c) {
    std::array<char, 4096> buf;
    while (!c->closed) {
      boost::system::error_code ec;
      std::size_t n = co_await c->sock.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (c->closed) break;
      if (ec) {
        self->close(c, ec == asio::error::eof ? "closed by peer" : "read error: " + ec.message());
        break;
      }
      if (!c->reader.feed(std::string_view(buf.data(), n))) {
        self->close(c, "line too long");
        break;
      }
      while (auto line = c->reader.next()) {
        if (c->closed || c->close_after_flush) break;
        if (line->empty()) continue;
        self->handle(c, *line);
      }
    }
  }

  void send(const ConnPtr& c, std::string line) {
    if (c->closed) return;
    if (c->queued + line.size() > kMaxQueuedBytes) {
      close(c, "slow reader");
      return;
    }
    c->queued += line.size();
    c->outq.push_back(std::move(line));
    if (!c->writing) write_next(c);
  }

  void write_next(const ConnPtr& c) {
    if (c->outq.empty()) {
      c->writing = false;
      if (c->close_after_flush) close(c, c->close_reason);
      return;
    }
    c->writing = true;
    asio::async_write(c->sock, asio::buffer(c->outq.front()),
                      [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
                        if (c->closed) return;
                        if (ec) {
                          self->close(c, "write error: " + ec.message());
                          return;
                        }
                        c->queued -= c->outq.front().size();
                        c->outq.pop_front();
                        self->write_next(c);
                      });
  }

  void close(const ConnPtr& c, const std::string& reason) {
    if (c->closed) return;
    c->closed = true;
    boost::system::error_code ec;
    c->sock.shutdown(tcp::socket::shutdown_both, ec);
    c->sock.close(ec);
    c->timer.cancel();
    if (!c->session.empty()) {
      sessions.erase(c->session);
    }
    conns.erase(c);
    stats.set_miners_online(sessions.size());
    ojson ev{{"remote", c->remote}, {"reason", reason}};
    if (!c->session.empty()) {
      ev["session"] = c->session;
      ev["rig_id"] = c->rig_id;
    }
    log.emit("disconnect", ev);
  }

  void close_after_reply(const ConnPtr& c, const std::string& reason) {
    c->close_after_flush = true;
    c->close_reason = reason;
    if (!c->writing) close(c, reason);
  }

  // ---- stratum methods --------------------------------------------------------------------
  void handle(const ConnPtr& c, const std::string& line) {
    auto parsed = stratum::parse_message(line);
    if (auto* err = std::get_if<stratum::ProtocolError>(&parsed)) {
      send(c, stratum::encode_error(err->id, err->code, err->message));
      // A peer that does not speak JSON is not a miner; answer once, then hang up.
      if (err->code == stratum::kParseError) close_after_reply(c, "malformed json");
      return;
    }
    auto& m = std::get<stratum::Message>(parsed);
    if (m.kind == stratum::Message::Kind::response) return;  // miners do not answer us; ignore
    if (!c->session.empty()) c->deadline = Clock::now() + std::chrono::seconds(opts.idle_timeout);
    const bool wants_reply = m.kind == stratum::Message::Kind::request;
    std::string reply;
    if (m.method == "login") reply = login(c, m);
    else if (m.method == "submit") reply = submit(c, m);
    else if (m.method == "keepalived") reply = stratum::encode_result(m.id, {{"status", "KEEPALIVED"}});
    else if (m.method == "getjob") {
      reply = c->session.empty() ? stratum::encode_error(m.id, stratum::kPoolError, "Unauthenticated")
                                 : stratum::encode_result(m.id, current.to_json());
    } else {
      reply = stratum::encode_error(m.id, stratum::kMethodNotFound, "Method not found");
    }
    if (wants_reply) send(c, std::move(reply));
  }

  std::string login(const ConnPtr& c, const stratum::Message& m) {
    if (!m.params.is_object())
      return stratum::encode_error(m.id, stratum::kInvalidParams, "Invalid params: login expects an object");
    const std::string login_name = str_field(m.params, "login");
    const std::string pass = str_field(m.params, "pass");
    const std::string agent = str_field(m.params, "agent");
    const std::string rigid = str_field(m.params, "rigid");
    auto parsed = stratum::parse_login(login_name);
    if (!parsed) {
      log.emit("login_rejected", {{"remote", c->remote}, {"wallet", login_name}, {"agent", agent},
                                  {"reason", "Invalid payment address provided"}});
      return stratum::encode_error(m.id, stratum::kPoolError, "Invalid payment address provided");
    }
    if (auto algos = m.params.find("algo"); algos != m.params.end() && algos->is_array() && !algos->empty()) {
      bool rx0 = false;
      for (const auto& a : *algos) rx0 = rx0 || (a.is_string() && (a == "rx/0" || a == "rx"));
      if (!rx0) return stratum::encode_error(m.id, stratum::kPoolError, "Unsupported algorithm: this pool mines rx/0");
    }
    if (!c->session.empty()) sessions.erase(c->session);  // re-login replaces the session
    c->session = random_hex(8);
    c->wallet = parsed->wallet;
    c->rig_id = rigid;
    c->agent = agent;
    c->worker = !rigid.empty() ? rigid : !parsed->worker.empty() ? parsed->worker
                                         : (!pass.empty() && pass != "x") ? pass : "default";
    sessions[c->session] = c.get();
    stats.set_miners_online(sessions.size());
    c->deadline = Clock::now() + std::chrono::seconds(opts.idle_timeout);
    c->close_reason = "idle timeout";
    log.emit("login", {{"remote", c->remote}, {"session", c->session}, {"wallet", c->wallet},
                       {"agent", agent}, {"rig_id", rigid}, {"worker", c->worker}});
    ojson result = {{"id", c->session}, {"job", current.to_json()}, {"status", "OK"}};
    // Advertising the extension makes xmrig send keepalived (CASES 1), which we answer.
    result["extensions"] = ojson::array({"keepalive"});
    return stratum::encode_result(m.id, result);
  }

  std::string submit(const ConnPtr& c, const stratum::Message& m) {
    const nlohmann::json params = m.params.is_object() ? m.params : nlohmann::json::object();
    const std::string sid = str_field(params, "id"), job_id = str_field(params, "job_id"),
                      nonce = str_field(params, "nonce"), result = str_field(params, "result");
    Connection* owner = nullptr;
    if (auto it = sessions.find(sid); it != sessions.end()) owner = it->second;
    auto reject = [&](const std::string& why) {
      const std::string worker = owner ? owner->worker : (c->session.empty() ? "unknown" : c->worker);
      stats.record_share(worker, c->remote_ip, false);
      log.emit("share", {{"status", "rejected"}, {"reason", why}, {"rig_id", owner ? owner->rig_id : c->rig_id},
                         {"worker", worker}, {"remote", c->remote}, {"job_id", job_id},
                         {"difficulty", opts.difficulty}});
      return stratum::encode_error(m.id, stratum::kPoolError, why);
    };
    if (!owner) return reject("Unauthenticated");
    if (job_id.empty() || (job_id != current.job_id && job_id != previous.job_id)) return reject("Invalid job id");
    if (nonce.size() != 8 || !stratum::is_hex(nonce)) return reject("Invalid nonce");
    auto diff = stratum::result_difficulty(result);
    if (!diff) return reject("Invalid result");
    // Keep duplicate tracking to the two jobs that can still be submitted.
    for (auto it = owner->seen.begin(); it != owner->seen.end();)
      it = (it->first != current.job_id && it->first != previous.job_id) ? owner->seen.erase(it) : std::next(it);
    auto& seen = owner->seen[job_id];
    const auto n = static_cast<std::uint32_t>(stratum::parse_le_hex(nonce).value_or(0));
    if (!seen.insert(n).second) return reject("Duplicate share");
    if (*diff < opts.difficulty) return reject("Low difficulty share");
    stats.record_share(owner->worker, c->remote_ip, true);
    log.emit("share", {{"status", "accepted"}, {"reason", ""}, {"rig_id", owner->rig_id},
                       {"worker", owner->worker}, {"remote", c->remote}, {"job_id", job_id},
                       {"difficulty", opts.difficulty}});
    return stratum::encode_result(m.id, {{"status", "OK"}});
  }

  // ---- HTTP ------------------------------------------------------------------------------
  static asio::awaitable<void> accept_http(std::shared_ptr<Impl> self) {
    asio::steady_timer backoff(self->io);
    while (!self->stopping) {
      boost::system::error_code ec;
      tcp::socket s(self->io);
      co_await self->http_acc.async_accept(s, asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping) co_return;
      if (ec) {
        backoff.expires_after(kAcceptBackoff);
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      // HTTP is for the harness and Prometheus; a small cap keeps it from starving stratum.
      if (self->http_conns >= 64) {
        s.close(ec);
        continue;
      }
      asio::co_spawn(self->io, serve_http(self, std::make_shared<tcp::socket>(std::move(s))), asio::detached);
    }
  }

  static asio::awaitable<void> serve_http(std::shared_ptr<Impl> self, std::shared_ptr<tcp::socket> s) {
    ++self->http_conns;
    asio::steady_timer deadline(self->io);
    deadline.expires_after(kHttpTimeout);
    deadline.async_wait([s](boost::system::error_code ec) {
      if (!ec) s->close(ec);
    });
    std::string req;
    boost::system::error_code ec;
    co_await asio::async_read_until(*s, asio::dynamic_buffer(req, kMaxHttpRequest), "\r\n\r\n",
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      std::string response = self->http_response(req);
      co_await asio::async_write(*s, asio::buffer(response), asio::redirect_error(asio::use_awaitable, ec));
    }
    deadline.cancel();
    s->shutdown(tcp::socket::shutdown_both, ec);
    s->close(ec);
    --self->http_conns;
  }

  std::string http_response(const std::string& req) {
    auto line_end = req.find("\r\n");
    std::string first = req.substr(0, line_end);
    auto sp1 = first.find(' ');
    auto sp2 = sp1 == std::string::npos ? std::string::npos : first.find(' ', sp1 + 1);
    int status = 200;
    std::string type = "text/plain; charset=utf-8", body;
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
      status = 400;
      body = "bad request\n";
    } else {
      std::string method = first.substr(0, sp1), path = first.substr(sp1 + 1, sp2 - sp1 - 1);
      if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
      if (method != "GET" && method != "HEAD") {
        status = 405;
        body = "method not allowed\n";
      } else if (path == "/healthz") {
        body = "ok";
      } else if (path == "/stats") {
        type = "application/json";
        body = stats.to_json().dump() + "\n";
      } else if (path == "/metrics") {
        type = "text/plain; version=0.0.4; charset=utf-8";
        body = stats.to_prometheus();
      } else {
        status = 404;
        body = "not found\n";
      }
      if (method == "HEAD") body.clear();
    }
    const char* reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed" : "Bad Request";
    return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }
};

Server::Server(asio::io_context& io, Options opts, EventLog& log)
    : impl_(std::make_shared<Impl>(io, std::move(opts), log)) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
std::uint16_t Server::stratum_port() const { return impl_->stratum_acc.local_endpoint().port(); }
std::uint16_t Server::http_port() const { return impl_->http_acc.local_endpoint().port(); }

}  // namespace fakepool
