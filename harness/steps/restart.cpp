// restart: kubectl rollout restart + rollout status. NetworkPolicy engines judge new
// connections; a miner that connected before the policy keeps its session until restarted.
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Restart final : public scenario::Operation {
 public:
  std::string ref, ns;
  std::string kind() const override { return "restart"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override { return "restart " + ref; }
  Millis default_timeout() const override { return std::chrono::seconds(90); }
  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto ran = kubectl(ctx, {"rollout", "restart", "-n", n, ctx.expand(ref)});
    if (!ran.result.ok()) return fail_from(ran, "rollout restart failed");
    ran = kubectl(ctx, {"rollout", "status", "-n", n, ctx.expand(ref), "--timeout=90s"}, std::chrono::seconds(100));
    if (!ran.result.ok()) return fail_from(ran, "rollout did not finish");
    return Observation::pass("restarted " + ref);
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_restart(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "restart", diag);
  auto op = std::make_unique<Restart>();
  op->ref = f.str("ref", true).value_or("");
  op->ns = f.str_or("namespace", "");
  f.finish();
  return op;
}

}  // namespace labctl::steps
