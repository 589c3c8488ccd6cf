// apply: kubectl apply a manifest from the lab directory, stamped with the run labels. Each
// object's undo is pushed before the apply, so Ctrl-C cannot orphan it (objects in a namespace
// the run created are undone by deleting that namespace).
#include <algorithm>

#include "steps/common.h"
#include "steps/manifest.h"

namespace labctl::steps {
namespace {

class Apply final : public scenario::Operation {
 public:
  std::string file, ns;
  scenario::Position file_at;
  std::vector<Ref> file_refs() const override { return {{"apply.file", file, file_at}}; }
  std::string kind() const override { return "apply"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override { return "apply " + file + (ns.empty() ? "" : " -n " + ns); }
  Millis default_timeout() const override { return std::chrono::seconds(30); }

  Observation attempt(Context& ctx) override {
    auto text = read_manifest(ctx, file);
    if (!text) return Observation::fail(text.error().message);
    auto stamped = stamp_manifest(*text, {{kRunLabel, ctx.invocation_id}, {kEpisodeLabel, ctx.episode_id}});
    if (!stamped) return Observation::fail(file + ": " + stamped.error().message);
    const std::string target_ns = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    // In a namespace this run created, the namespace's own undo (older on the stack, so later)
    // removes these objects and waits for them; one undo per object would only add processes.
    const bool covered = ctx.created_namespaces.count(target_ns) > 0;
    std::string names;
    for (const auto& o : stamped->objects) {
      std::string ref = lower(o.kind) + "/" + o.name;
      if (!covered)
        ctx.undo.push({"delete " + ref + " -n " + target_ns,
                       ctx.kube.command({"delete", "-n", target_ns, ref, "--ignore-not-found", "--wait=true", "--timeout=60s"},
                                        std::chrono::seconds(75))});
      names += (names.empty() ? "" : ", ") + ref;
      std::string where = ref + " -n " + target_ns;
      if (std::find(ctx.created.begin(), ctx.created.end(), where) == ctx.created.end()) ctx.created.push_back(where);
    }
    auto ran = kubectl(ctx, {"apply", "-n", target_ns, "-f", "-"}, std::chrono::seconds(30), stamped->yaml);
    if (!ran.result.ok()) return fail_from(ran, "kubectl apply failed");
    return Observation::pass("applied " + names);
  }

 private:
  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_apply(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "apply", diag);
  auto op = std::make_unique<Apply>();
  op->file = f.str("file", true).value_or("");
  if (!op->file.empty()) op->file_at = diag.at(body["file"]);
  op->ns = f.str_or("namespace", "");
  f.finish();
  return op;
}

}  // namespace labctl::steps
