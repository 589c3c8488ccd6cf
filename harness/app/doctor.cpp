// labctl doctor: prerequisites with actionable hints, then a canary episode that proves what
// every egress assertion relies on: NetworkPolicy is enforced (CASES 9), the pool name resolves
// and the pool answers. Metrics and images are checked through the API.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "cluster/classify.h"
#include "runner/engine.h"
#include "steps/common.h"
#include "steps/registry.h"

namespace labctl::app {
namespace {

const char* const kImages[] = {"docker.io/platform/runtime-helper:1.0.1", "docker.io/lab/xmrig:6.22.2",
                               "docker.io/lab/stratum-pool:1.0.0", "docker.io/lab/toolbox:1.0.0",
                               "docker.io/lab/internal-api:1.0.0"};

struct Check {
  State& st;
  int failed = 0;
  void line(bool ok, const std::string& what, const std::string& hint = {}) {
    *st.out << "  " << (ok ? "✓ " : "✗ ") << what << '\n';
    if (!ok) {
      ++failed;
      if (!hint.empty()) *st.out << "      hint: " << hint << '\n';
    }
  }
};

}  // namespace

void add_doctor(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("doctor", "Check prerequisites: kubectl, cluster, images, metrics, pool, NetworkPolicy canary");
  auto skip_canary = std::make_shared<bool>(false);
  sub->add_flag("--no-canary", *skip_canary, "Skip the NetworkPolicy canary (it takes ~15 s)");
  sub->callback([&st, skip_canary] {
    st.action = [skip_canary](State& s) {
      Check c{s};
      *s.out << "labctl doctor\n";
      c.line(true, "lab directory " + lab_dir(s).string());
      cluster::Kubectl* kube = nullptr;
      try {
        kube = &kubectl(s);
        c.line(true, "kubectl " + kube->binary() + (kube->kubeconfig().empty() ? "" : " (kubeconfig " + kube->kubeconfig() + ")"));
      } catch (const UserError& e) {
        c.line(false, e.what(), e.hint());
        return ExitCode::environment;
      }
      auto nodes = kube->run({"get", "nodes", "-o", "json"});
      if (!nodes.ok()) {
        auto why = cluster::kubectl_error(nodes.err);
        c.line(false, "cluster reachable: does not answer" + (why.empty() ? std::string() : ": " + why),
               "labctl up (provider " + provider(s).name() + ")");
        return ExitCode::environment;
      }
      auto doc = nlohmann::json::parse(nodes.out, nullptr, false);
      int ready = 0, total = 0;
      std::set<std::string> images;
      for (const auto& n : doc.value("items", nlohmann::json::array())) {
        ++total;
        for (const auto& cond : n["status"].value("conditions", nlohmann::json::array()))
          if (cond.value("type", "") == "Ready" && cond.value("status", "") == "True") ++ready;
        for (const auto& im : n["status"].value("images", nlohmann::json::array()))
          for (const auto& name : im.value("names", nlohmann::json::array())) images.insert(name.get<std::string>());
      }
      c.line(total > 0 && ready == total, std::to_string(ready) + "/" + std::to_string(total) + " nodes Ready",
             "kubectl describe nodes");
      for (const char* im : kImages)
        c.line(images.count(im) > 0, std::string("image ") + im + " on the nodes",
               "images are never pulled (imagePullPolicy: Never): images/build.sh, then labctl up");
      auto metrics = kube->run({"get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes"});
      c.line(metrics.ok(), "metrics API answers (kubectl top)" + (metrics.ok() ? std::string() : ": " + steps::first_line(metrics.err)),
             "kubectl -n kube-system logs deploy/metrics-server; on kind it needs --kubelet-insecure-tls");
      auto pool = kube->run({"get", "deployment", "supportxmr-pool", "-n", "pool-external", "-o", "jsonpath={.status.readyReplicas}"});
      c.line(pool.ok() && steps::trim(pool.out) != "" && steps::trim(pool.out) != "0", "pool-external/supportxmr-pool ready",
             "kubectl apply -f manifests/addons/; kubectl -n pool-external describe deploy/supportxmr-pool");
      if (!*skip_canary) {
        auto r = scenario::load_file(lab_dir(s) / "scenarios" / "doctor" / "netpol-canary.yaml", steps::registry(), lab_dir(s));
        if (!r.ok()) {
          c.line(false, "canary scenario loads", "labctl validate");
        } else {
          runner::EngineOptions opt;
          opt.lab_dir = lab_dir(s);
          opt.invocation_id = runner::new_invocation_id();
          runner::Engine engine(*kube, opt, nullptr);
          auto ep = engine.run(*r.scenario);
          for (const auto& step : ep.steps) {
            if (step.group != "steps" && step.status == report::Status::passed) continue;
            c.line(step.status == report::Status::passed, step.summary + (step.expected.empty() ? "" : ": " + step.expected) +
                                                              " — observed " + step.observed,
                   step.kind != "egress" ? ""
                   : step.observed.find("refused") != std::string::npos
                       ? "the policy is enforced but REJECTs (kube-router does); the episodes expect a silent DROP (timeout), as the talk shows"
                       : "NetworkPolicy must be enforced (kind >= v0.24, kube-network-policies, Calico or Cilium)");
          }
        }
      }
      *s.out << (c.failed ? "✗ " + std::to_string(c.failed) + " problem(s)\n" : "✓ ready for the episodes\n");
      return c.failed ? ExitCode::environment : ExitCode::ok;
    };
  });
}

}  // namespace labctl::app
