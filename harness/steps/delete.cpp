// delete: remove one object (e.g. a policy) mid-episode and wait until it is gone.
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Delete final : public scenario::Operation {
 public:
  std::string ref, ns;
  std::string kind() const override { return "delete"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override { return "delete " + ref + (ns.empty() ? "" : " -n " + ns); }
  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto ran = kubectl(ctx, {"delete", "-n", n, ctx.expand(ref), "--ignore-not-found", "--wait=true", "--timeout=60s"},
                       std::chrono::seconds(75));
    if (!ran.result.ok()) return fail_from(ran, "kubectl delete failed");
    return Observation::pass("deleted " + ref);
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_delete_(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "delete", diag);
  auto op = std::make_unique<Delete>();
  op->ref = f.str("ref", true).value_or("");
  op->ns = f.str_or("namespace", "");
  f.finish();
  return op;
}

}  // namespace labctl::steps
