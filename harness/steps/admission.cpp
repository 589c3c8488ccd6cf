// admission: would the API server admit this manifest? A server-side dry run goes through
// every admission plugin (PodSecurity, ValidatingAdmissionPolicy, webhooks) without creating
// anything or pulling an image. Expected: allowed or denied, by a named policy, with reasons.
#include "steps/common.h"
#include "steps/manifest.h"

namespace labctl::steps {
namespace {

class Admission final : public scenario::Operation {
 public:
  std::string file, ns, policy;
  scenario::Position file_at;
  std::vector<Ref> file_refs() const override { return {{"admission.file", file, file_at}}; }
  bool allowed = false;
  std::vector<std::string> reasons;
  std::string kind() const override { return "admission"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "admission of " + file; }
  std::string expected() const override {
    std::string s = allowed ? "allowed" : "denied";
    if (!policy.empty()) s += " by " + policy;
    for (const auto& r : reasons) s += ", \"" + r + "\"";
    return s;
  }
  Observation attempt(Context& ctx) override {
    auto text = read_manifest(ctx, file);
    if (!text) return Observation::fail(text.error().message);
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto ran = kubectl(ctx, {"apply", "--dry-run=server", "-n", n, "-f", "-"}, std::chrono::seconds(30), *text);
    const auto& r = ran.result;
    if (r.timed_out || r.err.find("Unable to connect") != std::string::npos) return pending_from(ran, "API server");
    bool was_allowed = r.exit_code == 0;
    std::string observed = was_allowed ? "allowed" : "denied: " + first_line(r.err, 200);
    if (was_allowed != allowed) return Observation::fail(observed, describe_failure(ran.command, r));
    std::string missing;
    if (!policy.empty() && r.err.find(policy) == std::string::npos) missing += " policy " + policy;
    for (const auto& reason : reasons)
      if (r.err.find(reason) == std::string::npos) missing += " \"" + reason + "\"";
    if (!missing.empty()) return Observation::fail(observed + " — message lacks" + missing, r.err);
    return Observation::pass(observed);
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_admission(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "admission", diag);
  auto op = std::make_unique<Admission>();
  op->file = f.str("file", true).value_or("");
  if (!op->file.empty()) op->file_at = diag.at(body["file"]);
  op->ns = f.str_or("namespace", "");
  if (auto r = f.one_of("result", {"allowed", "denied"}, true)) op->allowed = *r == "allowed";
  op->policy = f.str_or("policy", "");
  op->reasons = f.strings("reasons");
  f.finish();
  return op;
}

}  // namespace labctl::steps
