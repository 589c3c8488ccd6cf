// alert: a runtime alert by rule name in the runtime detector's log (Falco: one JSON or text
// line per alert), optionally mentioning a pod. Falco's stable rules do not cover a token read
// (CASES 14): the episode that expects it must ship its own rule.
#include <sstream>

#include "steps/common.h"

namespace labctl::steps {
namespace {

class Alert final : public scenario::Operation {
 public:
  std::string rule, ns = "falco", selector = "app.kubernetes.io/name=falco", mentions;
  std::string kind() const override { return "alert"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "runtime alerts in " + ns + "/" + selector; }
  std::string expected() const override { return "\"" + rule + "\"" + (mentions.empty() ? "" : " mentioning " + mentions); }
  Millis default_timeout() const override { return std::chrono::seconds(30); }
  Observation attempt(Context& ctx) override {
    auto ran = kubectl(ctx, {"logs", "-n", ns, "-l", selector, "--tail=2000", "--prefix=false"});
    if (!ran.result.ok()) return pending_from(ran, "detector log");
    std::istringstream lines(ran.result.out);
    std::string line;
    std::string want = ctx.expand(mentions);
    int seen = 0;
    while (std::getline(lines, line)) {
      if (line.find(rule) == std::string::npos) continue;
      ++seen;
      if (want.empty() || line.find(want) != std::string::npos) return Observation::pass(first_line(line, 200));
    }
    return Observation::pending(std::to_string(seen) + " \"" + rule + "\" alerts" + (want.empty() ? "" : ", none mentioning " + want));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_alert(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "alert", diag);
  auto op = std::make_unique<Alert>();
  op->rule = f.str("rule", true).value_or("");
  op->ns = f.str_or("namespace", op->ns);
  op->selector = f.str_or("selector", op->selector);
  op->mentions = f.str_or("mentions", "");
  f.finish();
  return op;
}

}  // namespace labctl::steps
