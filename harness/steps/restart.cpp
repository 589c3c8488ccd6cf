// restart: kubectl rollout restart + rollout status; with `pods: <selector>`, delete the pods and
// wait until they are gone; with `in-place: true` too, restart their main process in the same
// pods (new pods can race a policy engine that programs rules per pod, as kube-router does). NetworkPolicy engines judge new connections; a miner that
// connected before the policy keeps its session until it is restarted.
#include <map>
#include <sstream>

#include "core/interrupt.h"
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Restart final : public scenario::Operation {
 public:
  std::string ref, ns, selector;
  bool in_place = false;

  // pod name -> "restartCount running-since" of its first container
  std::map<std::string, std::string> containers(Context& ctx, const std::string& n, Ran& ran) {
    ran = kubectl(ctx, {"get", "pods", "-n", n, "-l", ctx.expand(selector), "-o",
                        "jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].restartCount} "
                        "{.status.containerStatuses[0].state.running.startedAt}{\"\\n\"}{end}"});
    std::map<std::string, std::string> out;
    std::istringstream in(ran.result.out);
    for (std::string pod, count, since; in >> pod >> count;) {
      std::getline(in, since);
      out[pod] = count + " " + trim(since);
    }
    return out;
  }

  // Stops the container's main process (PID 1; the miner exits on SIGTERM) so the kubelet
  // restarts it in the same pod: same IP, so the policy engine already knows the pod, and the
  // miner's old session is gone. Waits until every container is running again.
  Observation restart_in_place(Context& ctx, const std::string& n) {
    Ran ran;
    auto before = containers(ctx, n, ran);
    if (!ran.result.ok() || before.empty()) return fail_from(ran, "no pods match " + selector);
    for (const auto& [pod, state] : before) {
      auto kill = kubectl(ctx, {"exec", "-n", n, "pod/" + pod, "--", "kill", "1"}, std::chrono::seconds(20));
      if (kubectl_error(kill.result) && kill.result.err.find("terminated") == std::string::npos)
        return fail_from(kill, "kill 1 in " + pod);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline && !interrupt::requested()) {
      auto now = containers(ctx, n, ran);
      bool all = !now.empty();
      last.clear();
      for (const auto& [pod, state] : before) {
        auto it = now.find(pod);
        auto old_count = std::stoll(state.substr(0, state.find(' ')));
        bool restarted = it != now.end() && std::stoll(it->second.substr(0, it->second.find(' '))) > old_count &&
                         it->second.find(' ') + 1 < it->second.size();
        all &= restarted;
        last += pod + (restarted ? " restarted" : " not yet restarted") + "; ";
      }
      if (all) return Observation::pass("main process restarted in place: " + last);
      interrupt::sleep_for(Millis(500));
    }
    // Ctrl-C: not a verdict on the restart; the engine reports "interrupted" like any step's.
    if (interrupt::requested()) return Observation::pending(last.empty() ? "waiting for the restart" : last);
    return Observation::fail("containers did not come back: " + last);
  }
  std::string kind() const override { return "restart"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override { return "restart " + ref; }
  Millis default_timeout() const override { return std::chrono::seconds(90); }
  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    if (in_place) return restart_in_place(ctx, n);
    if (!selector.empty()) {
      // Delete the pods and wait until they are gone: when this step ends, no old session is
      // left (a rollout restart returns while old pods still terminate, and still mine).
      auto del = kubectl(ctx, {"delete", "pod", "-n", n, "-l", ctx.expand(selector), "--wait=true", "--timeout=60s"},
                         std::chrono::seconds(70));
      if (!del.result.ok()) return fail_from(del, "deleting the pods failed");
      return Observation::pass("old pods gone: " + first_line(del.result.out) + "; the ReplicaSet starts new ones");
    }
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
  op->selector = f.str_or("pods", "");
  op->in_place = f.boolean("in-place").value_or(false);
  if (op->in_place && op->selector.empty()) diag.add(body, "restart: in-place needs pods: <selector>", "e.g. pods: app=proxy-api");
  f.finish();
  return op;
}

}  // namespace labctl::steps
