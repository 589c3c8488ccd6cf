// wait: a rollout finishing, pods matching a selector becoming Ready, or a fixed pause.
#include "core/interrupt.h"
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Wait final : public scenario::Operation {
 public:
  std::string rollout, ready, ns;
  std::optional<Millis> pause;
  Millis limit{std::chrono::seconds(90)};
  std::string kind() const override { return "wait"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override {
    if (!rollout.empty()) return "wait for rollout of " + rollout;
    if (!ready.empty()) return "wait for pods " + ready + " to be Ready";
    return "pause " + format_duration(*pause);
  }
  Millis default_timeout() const override { return limit; }
  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto secs = std::to_string(std::max<long long>(1, limit.count() / 1000)) + "s";
    if (pause) {
      if (!interrupt::sleep_for(*pause)) return Observation::fail("interrupted");
      return Observation::pass("waited " + format_duration(*pause));
    }
    Ran ran = !rollout.empty()
                  ? kubectl(ctx, {"rollout", "status", "-n", n, ctx.expand(rollout), "--timeout=" + secs}, limit + Millis(10000))
                  : kubectl(ctx, {"wait", "-n", n, "--for=condition=Ready", "pod", "-l", ctx.expand(ready), "--timeout=" + secs},
                            limit + Millis(10000));
    if (!ran.result.ok()) return fail_from(ran, "not ready");
    return Observation::pass(last_line(ran.result.out));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_wait(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "wait", diag);
  auto op = std::make_unique<Wait>();
  op->rollout = f.str_or("rollout", "");
  op->ready = f.str_or("ready", "");
  op->pause = f.duration("for");
  op->ns = f.str_or("namespace", "");
  if (auto t = f.duration("limit")) op->limit = *t;
  int n = !op->rollout.empty() + !op->ready.empty() + static_cast<int>(f.has("for"));
  if (n != 1 && f.valid()) diag.add(body, "wait: give exactly one of rollout, ready, for", "e.g. rollout: deployment/proxy-api");
  f.finish();
  return op;
}

}  // namespace labctl::steps
