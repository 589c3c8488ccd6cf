// rbac: kubectl auth can-i for an identity. A ServiceAccount must be written in full,
// system:serviceaccount:<ns>:<name> (CASES 12): a bare name impersonates a user and says no.
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Rbac final : public scenario::Operation {
 public:
  std::string as, verb, resource, ns;
  bool all_namespaces = false, allowed = false;
  std::string kind() const override { return "rbac"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override {
    return "can " + as + " " + verb + " " + resource + (all_namespaces ? " cluster-wide" : ns.empty() ? "" : " in " + ns);
  }
  std::string expected() const override { return allowed ? "yes" : "no"; }
  Millis default_timeout() const override { return std::chrono::seconds(15); }
  Observation attempt(Context& ctx) override {
    std::vector<std::string> args = {"auth", "can-i", verb, resource, "--as", ctx.expand(as)};
    if (all_namespaces) args.push_back("--all-namespaces");
    else args.insert(args.end(), {"-n", ns.empty() ? ctx.default_namespace : ctx.expand(ns)});
    auto ran = kubectl(ctx, args);
    const auto& r = ran.result;
    // Only the first word counts: a denial may read "no - <reason>".
    std::string word = first_line(r.out);
    word = word.substr(0, word.find_first_of(" \t"));
    if (word != "yes" && word != "no") return pending_from(ran, "can-i gave no answer");
    if ((word == "yes") == allowed) return Observation::pass(word);
    return Observation::fail(first_line(r.out));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_rbac(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "rbac", diag);
  auto op = std::make_unique<Rbac>();
  op->as = f.str("as", true).value_or("");
  op->verb = f.str("verb", true).value_or("");
  op->resource = f.str("resource", true).value_or("");
  op->ns = f.str_or("namespace", "");
  op->all_namespaces = f.boolean("all-namespaces").value_or(false);
  op->allowed = f.boolean("allowed", true).value_or(false);
  if (!op->as.empty() && op->as.find(':') == std::string::npos && op->as.find("serviceaccount") == std::string::npos &&
      op->as.find("sa") != std::string::npos)
    diag.add(body["as"], "rbac.as: '" + op->as + "' impersonates a user, not a ServiceAccount",
             "write system:serviceaccount:<namespace>:" + op->as);
  f.finish();
  return op;
}

}  // namespace labctl::steps
