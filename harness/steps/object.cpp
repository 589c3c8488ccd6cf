// object: a field of a Kubernetes object, read with a kubectl jsonpath, equals a value
// (what `kubectl get` would show: a container's name, an image, a label).
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Object final : public scenario::Operation {
 public:
  std::string ref, ns, jsonpath, equals;
  std::string kind() const override { return "object"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return ref + " " + jsonpath; }
  std::string expected() const override { return equals; }
  Millis default_timeout() const override { return std::chrono::seconds(15); }
  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto ran = kubectl(ctx, {"get", "-n", n, ctx.expand(ref), "-o", "jsonpath=" + jsonpath});
    if (!ran.result.ok()) return pending_from(ran, "kubectl get");
    auto got = trim(ran.result.out);
    if (got == ctx.expand(equals)) return Observation::pass(got);
    return Observation::pending(got.empty() ? "(empty)" : got);
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_object(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "object", diag);
  auto op = std::make_unique<Object>();
  op->ref = f.str("ref", true).value_or("");
  op->ns = f.str_or("namespace", "");
  op->jsonpath = f.str("jsonpath", true).value_or("");
  op->equals = f.str("equals", true).value_or("");
  if (!op->jsonpath.empty() && op->jsonpath.front() != '{')
    diag.add(body["jsonpath"], "object.jsonpath: '" + op->jsonpath + "' is not a kubectl jsonpath", "write it in braces, e.g. '{.spec.replicas}'");
  f.finish();
  return op;
}

}  // namespace labctl::steps
