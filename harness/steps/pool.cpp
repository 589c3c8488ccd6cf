// pool: evidence on the pool's side, joined by rig-id (= the run id): shares accepted from this
// run's miner, or none since an earlier step ended (held for a window, since "none" needs time).
// Read from the pool's /stats through the API server's service proxy (the API client when the
// kubeconfig allows it, else `kubectl get --raw`).
#include <ctime>
#include <nlohmann/json.hpp>

#include "steps/common.h"

namespace labctl::steps {
namespace {

using Clock = std::chrono::system_clock;

std::optional<Clock::time_point> parse_iso8601(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) return std::nullopt;
  if (*p == '.') {
    ++p;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      if (digits++ < 3) ms = ms * 10 + (*p - '0');
      ++p;
    }
    while (digits++ < 3) ms *= 10;
  }
  return Clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(ms);
}

class Pool final : public scenario::Operation {
 public:
  std::string rig = "${RUN_ID}";
  std::string ns = "pool-external", service = "supportxmr-pool:8080";
  std::optional<long long> at_least;
  std::string none_since;
  scenario::Position since_at;
  std::vector<Ref> step_refs() const override {
    if (none_since.empty()) return {};
    return {{"none-since", none_since, since_at}};
  }
  Millis hold{std::chrono::seconds(8)};
  // Per run of this step: the first attempt's time and accepted count.
  std::optional<std::chrono::steady_clock::time_point> started;
  long long baseline = 0;

  std::string kind() const override { return "pool"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override {
    return rig == "${RUN_ID}" ? "pool-side shares from this run's rig" : "pool-side shares from rig " + rig;
  }
  std::string expected() const override {
    if (at_least) return ">= " + std::to_string(*at_least) + " accepted";
    return "none since step '" + none_since + "' (held " + format_duration(hold) + ")";
  }
  Millis default_timeout() const override { return at_least ? Millis(std::chrono::seconds(45)) : hold + Millis(20000); }

  Observation attempt(Context& ctx) override {
    auto ran = get_raw(ctx, "/api/v1/namespaces/" + ns + "/services/" + service + "/proxy/stats");
    if (!ran.result.ok()) return pending_from(ran, "pool stats");
    auto doc = nlohmann::json::parse(ran.result.out, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return Observation::pending("pool /stats is not JSON", ran.result.out);
    const std::string id = ctx.expand(rig);
    long long accepted = 0, rejected = 0;
    std::string last;
    if (doc.contains("workers") && doc["workers"].contains(id)) {
      const auto& w = doc["workers"][id];
      accepted = w.value("accepted", 0LL);
      rejected = w.value("rejected", 0LL);
      if (w.contains("last_share") && w["last_share"].is_string()) last = w["last_share"].get<std::string>();
    }
    std::string observed = std::to_string(accepted) + " accepted, " + std::to_string(rejected) + " rejected" +
                           (last.empty() ? "" : ", last at " + last);
    if (at_least) {
      if (accepted >= *at_least) return Observation::pass(observed);
      return Observation::pending(observed + " (miners online: " + std::to_string(doc.value("miners_online", 0)) + ")");
    }
    auto mark = ctx.step_done.find(none_since);
    if (mark == ctx.step_done.end()) return Observation::fail("step '" + none_since + "' has not run in this episode");
    auto now = std::chrono::steady_clock::now();
    if (!started) {
      started = now;
      baseline = accepted;
    }
    if (auto t = parse_iso8601(last); t && *t > mark->second)
      return Observation::fail(observed + " — a share arrived after '" + none_since + "'");
    if (accepted > baseline)
      return Observation::fail(observed + " — " + std::to_string(accepted - baseline) + " new since this check began");
    auto held = std::chrono::duration_cast<Millis>(now - *started);
    if (held >= hold) {
      started.reset();
      return Observation::pass(observed + "; none since '" + none_since + "' (watched " + format_duration(held) + ")");
    }
    return Observation::pending(observed + "; quiet for " + format_duration(held));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_pool(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "pool", diag);
  auto op = std::make_unique<Pool>();
  op->rig = f.str_or("rig", op->rig);
  op->ns = f.str_or("namespace", op->ns);
  op->service = f.str_or("service", op->service);
  op->at_least = f.integer("accepted-at-least", 1, 1'000'000);
  op->none_since = f.str_or("none-since", "");
  if (!op->none_since.empty()) op->since_at = diag.at(body["none-since"]);
  if (auto h = f.duration("hold")) op->hold = *h;
  if (f.valid() && op->at_least.has_value() == !op->none_since.empty())
    diag.add(body, "pool: give exactly one of accepted-at-least, none-since", "e.g. accepted-at-least: 1");
  f.finish();
  return op;
}

}  // namespace labctl::steps
