// The engine against a recording runner: what it runs, in which order, how it polls, how it
// cleans up (newest first, even after failure or interruption), and what it reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "core/interrupt.h"
#include "runner/engine.h"
#include "scenario/loader.h"
#include "steps/registry.h"

using namespace labctl;
using namespace std::chrono_literals;
using report::Status;
using R = RecordingRunner;

namespace {

const char* kHeader = "apiVersion: labctl.dev/v1alpha1\nkind: Episode\nid: t\ntitle: T\nstory: S\nnamespaces: [net-demo]\n";

struct Fixture {
  RecordingRunner rec;
  cluster::Kubectl kube{rec, "kubectl", "/k/config"};
  runner::EngineOptions opt;
  std::unique_ptr<scenario::Scenario> sc;
  Fixture() {
    opt.lab_dir = LABCTL_SOURCE_DIR;
    opt.invocation_id = "rabcde";
    opt.poll_interval = 10ms;
    interrupt::reset();
    // The cluster DNS answers unless a test says otherwise.
    rec.on("nslookup", R::ok("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tpool.supportxmr.test\nAddress: 10.96.90.130\n"));
  }
  report::EpisodeResult run(const std::string& body) {
    auto r = scenario::load_string(std::string(kHeader) + body, "test.yaml", steps::registry());
    EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : scenario::render(r.problems[0]));
    sc = std::move(r.scenario);
    runner::Engine engine(kube, opt, nullptr);
    return engine.run(*sc);
  }
  std::vector<std::string> lines_with(const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& l : rec.lines())
      if (l.find(needle) != std::string::npos) out.push_back(l);
    return out;
  }
  size_t index_of(const std::string& needle) const {
    auto lines = rec.lines();
    for (size_t i = 0; i < lines.size(); ++i)
      if (lines[i].find(needle) != std::string::npos) return i;
    return SIZE_MAX;
  }
};

CommandResult timed(int code, std::string err, Millis elapsed) {
  auto r = R::fail(code, std::move(err));
  r.elapsed = elapsed;
  return r;
}

const report::StepResult& step(const report::EpisodeResult& ep, const std::string& name) {
  auto it = std::find_if(ep.steps.begin(), ep.steps.end(), [&](const auto& s) { return s.name == name; });
  if (it == ep.steps.end()) throw std::runtime_error("no step " + name);
  return *it;
}

}  // namespace

TEST(Engine, EgressProbeIsArgvAndPasses) {
  Fixture f;
  f.rec.on("nc -w 3", timed(1, "nc: timed out", 3010ms));
  auto ep = f.run("steps:\n- name: probe\n  egress: {from: deployment/proxy-api, host: pool.supportxmr.test, port: 3333, outcome: timeout}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_EQ(ep.run_id, "rabcde-t");
  auto probes = f.lines_with("exec");
  ASSERT_EQ(probes.size(), 2u);
  // The name goes through the pod's search list in a constant script; host and timeout are argv.
  EXPECT_EQ(probes[0].rfind("kubectl --kubeconfig /k/config exec -n net-demo deployment/proxy-api -- sh -c ", 0), 0u) << probes[0];
  EXPECT_TRUE(probes[0].ends_with(" resolve pool.supportxmr.test 3")) << probes[0];
  EXPECT_EQ(probes[1], "kubectl --kubeconfig /k/config exec -n net-demo deployment/proxy-api -- nc -w 3 10.96.90.130 3333 -e /bin/true");
  EXPECT_EQ(step(ep, "probe").observed, "timeout after 3.0s (nc: timed out; pool.supportxmr.test = 10.96.90.130)");
}

TEST(Engine, ExpectationPollsUntilItHolds) {
  Fixture f;
  // Policies take a moment to apply: two successes, then the timeout the step expects.
  f.rec.on_sequence("nc -w", {R::ok(), R::ok(), timed(1, "nc: timed out", 3000ms)});
  auto ep = f.run("steps:\n- name: probe\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n");
  EXPECT_EQ(ep.status, Status::passed);
  EXPECT_EQ(step(ep, "probe").attempts, 3);
}

TEST(Engine, TimeoutReportsTheLastObservation) {
  Fixture f;
  f.rec.on("nc -w", timed(1, "nc: can't connect to remote host (10.96.0.7): Connection refused", 20ms));
  auto ep = f.run("steps:\n- name: probe\n  timeout: 200ms\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n");
  EXPECT_EQ(ep.status, Status::failed);
  const auto& s = step(ep, "probe");
  EXPECT_EQ(s.status, Status::failed);
  EXPECT_GT(s.attempts, 1);
  EXPECT_NE(s.observed.find("last observed: refused"), std::string::npos) << s.observed;
  EXPECT_NE(s.observed.find("Connection refused"), std::string::npos);
  EXPECT_NE(ep.message.find("expected timeout"), std::string::npos) << ep.message;
}

TEST(Engine, DnsFailureIsNotATimeout) {
  // CASES 7: deny-all without allow-dns. Under a DROP engine the lookup itself times out; that
  // is a DNS failure, and nc is never run (its -w alarm would have called it a timeout).
  Fixture f;
  f.rec.on("nslookup", timed(143, "command terminated with exit code 143", 3050ms));
  f.rec.on("nc -w", timed(1, "nc: timed out", 3000ms));
  auto ep = f.run("steps:\n- name: probe\n  timeout: 100ms\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n");
  EXPECT_EQ(ep.status, Status::failed);
  EXPECT_NE(step(ep, "probe").observed.find("dns-failure after 3.0s (no answer from cluster DNS within 3.0s)"), std::string::npos)
      << step(ep, "probe").observed;
  EXPECT_TRUE(f.lines_with("nc -w").empty());
}

TEST(Engine, DnsFailureExpected) {
  Fixture f;
  f.rec.on("nslookup", R::fail(1, "command terminated with exit code 1",
                               "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nowhere.test: NXDOMAIN\n"));
  auto ep = f.run("steps:\n- name: probe\n  egress: {from: deployment/x, host: nowhere.test, port: 1, outcome: dns-failure}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_NE(step(ep, "probe").observed.find("server can't find nowhere.test: NXDOMAIN"), std::string::npos) << step(ep, "probe").observed;
}

TEST(Engine, IpLiteralSkipsDns) {
  Fixture f;
  f.rec.on("nc -w", timed(1, "nc: can't connect to remote host (10.96.0.7): Connection refused", 10ms));
  auto ep = f.run("steps:\n- name: probe\n  egress: {from: deployment/x, host: 10.96.0.7, port: 80, outcome: refused}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_TRUE(f.lines_with("nslookup").empty());
}

TEST(Engine, CreatesNamespaceLabelledAndDeletesItLast) {
  Fixture f;
  auto ep = f.run(
      "setup:\n- apply: {file: manifests/episodes/net-demo/proxy-api.yaml}\n"
      "steps:\n- apply: {file: manifests/episodes/net-demo/default-deny-egress.yaml}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  auto cmds = f.rec.commands();
  // Namespace created from stdin, labelled with the run.
  auto ns = std::find_if(cmds.begin(), cmds.end(), [](const Command& c) { return c.stdin_data.find("kind: Namespace") != std::string::npos; });
  ASSERT_NE(ns, cmds.end());
  EXPECT_NE(ns->stdin_data.find("labctl.dev/run: rabcde"), std::string::npos);
  // The miner gets the run id as its rig-id.
  auto miner = std::find_if(cmds.begin(), cmds.end(), [](const Command& c) { return c.stdin_data.find("proxy-api") != std::string::npos; });
  ASSERT_NE(miner, cmds.end());
  EXPECT_NE(miner->stdin_data.find("rabcde-t"), std::string::npos);
  EXPECT_EQ(miner->stdin_data.find("${RUN_ID}"), std::string::npos);
  // Teardown: namespace, then the label sweep, and nothing after them.
  auto del_ns = f.index_of("delete namespace net-demo");
  auto sweep = f.index_of("-l labctl.dev/run=rabcde,labctl.dev/episode=t");
  ASSERT_NE(del_ns, SIZE_MAX);
  EXPECT_EQ(sweep, del_ns + 1);
  EXPECT_EQ(sweep, f.rec.lines().size() - 1);
}

TEST(Engine, UndoesNewestFirstOutsideItsNamespace) {
  Fixture f;
  auto ep = f.run(
      "setup:\n- apply: {file: manifests/episodes/net-demo/internal-api.yaml, namespace: other}\n"
      "steps:\n- apply: {file: manifests/episodes/net-demo/default-deny-egress.yaml, namespace: other}\n"
      "- apply: {file: manifests/episodes/net-demo/allow-dns-egress.yaml, namespace: other}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  std::vector<std::string> deletes;
  for (const auto& l : f.lines_with(" delete -n other ")) deletes.push_back(l.substr(l.find("delete")));
  ASSERT_EQ(deletes.size(), 4u);
  EXPECT_NE(deletes[0].find("networkpolicy/allow-dns-egress"), std::string::npos);
  EXPECT_NE(deletes[1].find("networkpolicy/default-deny-egress"), std::string::npos);
  EXPECT_NE(deletes[2].find("service/internal-api"), std::string::npos);
  EXPECT_NE(deletes[3].find("deployment/internal-api"), std::string::npos);
  EXPECT_NE(f.index_of("delete namespace net-demo"), SIZE_MAX) << "the namespace it created goes too";
}

TEST(Engine, NamespaceIsCreatedAtomicallyNeverApplied) {
  // `kubectl create` failing with AlreadyExists is the lock; apply would silently reuse.
  Fixture f;
  auto ep = f.run("steps:\n- wait: {for: 1ms}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  auto cmds = f.rec.commands();
  auto ns = std::find_if(cmds.begin(), cmds.end(), [](const Command& c) { return c.stdin_data.find("kind: Namespace") != std::string::npos; });
  ASSERT_NE(ns, cmds.end());
  EXPECT_EQ(quote_line(ns->argv), "kubectl --kubeconfig /k/config create -f -");
  EXPECT_EQ(f.index_of("get namespace"), SIZE_MAX) << "no check-then-create";
}

TEST(Engine, ExistingNamespaceIsAnEnvironmentProblemAndUntouched) {
  // A --keep run, or a second run at the same time: its namespace and objects are not ours.
  Fixture f;
  f.rec.on("create -f -", R::fail(1, "Error from server (AlreadyExists): error when creating \"STDIN\": namespaces \"net-demo\" already exists"));
  f.rec.on("get namespace net-demo", R::ok("Active r3db04 episode-5"));
  auto ep = f.run(
      "setup:\n- name: deploy\n  apply: {file: manifests/episodes/net-demo/proxy-api.yaml}\n"
      "steps:\n- name: probe\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n");
  EXPECT_EQ(ep.status, Status::error);
  EXPECT_TRUE(ep.environment);
  EXPECT_NE(ep.message.find("left by run r3db04"), std::string::npos) << ep.message;
  EXPECT_NE(ep.message.find("Remove it with: kubectl --kubeconfig /k/config delete namespace net-demo"), std::string::npos) << ep.message;
  EXPECT_EQ(ep.message.find("reused"), std::string::npos) << ep.message;
  EXPECT_EQ(step(ep, "deploy").status, Status::skipped);
  EXPECT_EQ(step(ep, "probe").status, Status::skipped);
  EXPECT_TRUE(f.lines_with(" apply ").empty());
  EXPECT_TRUE(f.lines_with("exec").empty());
  EXPECT_EQ(f.index_of("delete namespace"), SIZE_MAX) << "someone else's namespace is never deleted";
}

TEST(Engine, ExistingUnlabelledNamespaceSaysSo) {
  Fixture f;
  f.rec.on("create -f -", R::fail(1, "Error from server (AlreadyExists): namespaces \"net-demo\" already exists"));
  f.rec.on("get namespace net-demo", R::ok("Active  "));
  auto ep = f.run("steps:\n- wait: {for: 1ms}\n");
  EXPECT_TRUE(ep.environment);
  EXPECT_NE(ep.message.find("not created by labctl"), std::string::npos) << ep.message;
}

TEST(Engine, TerminatingNamespaceIsWaitedOutThenCreated) {
  Fixture f;
  f.rec.on_sequence("create -f -", {R::fail(1, "Error from server (AlreadyExists): object is being deleted: namespaces \"net-demo\" already exists"), R::ok()});
  f.rec.on("get namespace net-demo", R::ok("Terminating rold episode-5"));
  auto ep = f.run("steps:\n- wait: {for: 1ms}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_FALSE(ep.environment);
  EXPECT_EQ(f.lines_with("create -f -").size(), 2u);
}

TEST(Engine, FailedCleanupFailsTheRun) {
  Fixture f;
  f.rec.on("delete namespace", R::fail(1, "error: timed out waiting for the condition on namespaces/net-demo"));
  auto ep = f.run("steps:\n- wait: {for: 1ms}\n");
  EXPECT_EQ(ep.status, Status::failed);
  EXPECT_NE(ep.message.find("cleanup failed"), std::string::npos) << ep.message;
}

TEST(Engine, FailureStopsTheStoryButCleansUp) {
  Fixture f;
  f.rec.on("apply -n net-demo", R::fail(1, "Error from server (Forbidden): denied"));
  auto ep = f.run(
      "steps:\n- name: a\n  apply: {file: manifests/episodes/net-demo/default-deny-egress.yaml}\n"
      "- name: b\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n"
      "cleanup:\n- name: c\n  wait: {for: 1ms}\n");
  EXPECT_EQ(ep.status, Status::error);  // an action failed: not an expectation verdict
  EXPECT_EQ(step(ep, "a").status, Status::error);
  EXPECT_NE(step(ep, "a").detail.find("apply -n net-demo -f -"), std::string::npos) << "pasteable command in the detail";
  EXPECT_EQ(step(ep, "b").status, Status::skipped);
  EXPECT_EQ(step(ep, "c").status, Status::passed) << "cleanup steps always run";
  EXPECT_NE(f.index_of("delete namespace net-demo"), SIZE_MAX);
}

TEST(Engine, KeepLeavesEverything) {
  Fixture f;
  f.opt.keep = true;
  auto ep = f.run(
      "setup:\n- apply: {file: manifests/episodes/net-demo/proxy-api.yaml}\n"
      "steps:\n- apply: {file: manifests/episodes/net-demo/default-deny-egress.yaml}\n");
  EXPECT_EQ(ep.status, Status::passed);
  EXPECT_TRUE(f.lines_with(" delete ").empty());
  const auto& k = step(ep, "keep");
  // What is really there: the namespace and the two objects applied (not the undo stack's size).
  EXPECT_EQ(k.summary,
            "--keep: left 3 objects for the presenter (namespace/net-demo, deployment/proxy-api -n net-demo, "
            "networkpolicy/default-deny-egress -n net-demo)");
  // The removal command is on the line the console prints, in text mode too; never `labctl down`.
  EXPECT_EQ(k.observed, "remove with: kubectl --kubeconfig /k/config delete namespace net-demo --ignore-not-found --wait=true --timeout=90s");
  EXPECT_EQ(k.observed.find("labctl down"), std::string::npos);
  EXPECT_NE(k.detail.find("delete namespace net-demo"), std::string::npos);
}

TEST(Engine, KeepOutsideItsNamespaceListsEachDeleteAndTheSweep) {
  Fixture f;
  f.opt.keep = true;
  auto ep = f.run("steps:\n- apply: {file: manifests/episodes/net-demo/default-deny-egress.yaml, namespace: other}\n");
  const auto& k = step(ep, "keep");
  EXPECT_EQ(k.summary.rfind("--keep: left 2 objects", 0), 0u) << k.summary;
  EXPECT_NE(k.observed.find("delete -n other networkpolicy/default-deny-egress"), std::string::npos) << k.observed;
  EXPECT_NE(k.observed.find("delete namespace net-demo"), std::string::npos) << k.observed;
  EXPECT_NE(k.observed.find("-l labctl.dev/run=rabcde,labctl.dev/episode=t"), std::string::npos) << k.observed;
}

TEST(Engine, InterruptSkipsTheRestAndStillCleansUp) {
  Fixture f;
  f.rec.on("nc -w", R::ok());
  interrupt::request();
  auto ep = f.run("steps:\n- name: probe\n  egress: {from: deployment/x, host: h, port: 1, outcome: timeout}\n");
  interrupt::reset();
  EXPECT_EQ(ep.status, Status::error);
  EXPECT_EQ(ep.message, "interrupted");
  EXPECT_EQ(step(ep, "probe").status, Status::skipped);
  EXPECT_NE(f.index_of("delete namespace net-demo"), SIZE_MAX);
}

TEST(Engine, InterruptDuringRestartSaysInterrupted) {
  Fixture f;
  // The restart count never moves: without Ctrl-C this would wait 45 s and say the containers did not come back.
  f.rec.on("get pods -n net-demo -l app=proxy-api", R::ok("proxy-api-1 0 2020-01-01T00:00:00Z\n"));
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(300ms);
    interrupt::request();
  });
  auto ep = f.run("steps:\n- name: restart-miner\n  restart: {ref: deployment/proxy-api, pods: app=proxy-api, in-place: true}\n");
  ctrl_c.join();
  interrupt::reset();
  const auto& s = step(ep, "restart-miner");
  EXPECT_EQ(s.status, Status::error);
  EXPECT_EQ(s.observed.rfind("interrupted", 0), 0u) << s.observed;
  EXPECT_EQ(s.observed.find("did not come back"), std::string::npos) << s.observed;
  EXPECT_EQ(ep.message.rfind("interrupted", 0), 0u) << ep.message;
}

TEST(Engine, PoolEvidenceBeforeAndAfter) {
  Fixture f;
  const std::string stats = "/proxy/stats";
  // Before: the rig appears with one share. After the mark: nothing newer than the mark.
  f.rec.on_sequence(stats, {R::ok(R"({"miners_online":0,"workers":{}})"),
                            R::ok(R"({"miners_online":1,"workers":{"rabcde-t":{"accepted":1,"rejected":0,"last_share":"2020-01-01T00:00:00.000Z"}}})")});
  auto ep = f.run(
      "steps:\n- name: before\n  pool: {accepted-at-least: 1}\n- name: mark\n  wait: {for: 1ms}\n"
      "- name: after\n  pool: {none-since: mark, hold: 50ms}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_EQ(step(ep, "before").attempts, 2);
  EXPECT_NE(f.index_of("get --raw /api/v1/namespaces/pool-external/services/supportxmr-pool:8080/proxy/stats"), SIZE_MAX);
}

TEST(Engine, PoolShareAfterTheMarkFails) {
  Fixture f;
  f.rec.on("/proxy/stats", R::ok(R"({"workers":{"rabcde-t":{"accepted":9,"rejected":0,"last_share":"2100-01-01T00:00:00.000Z"}}})"));
  auto ep = f.run("steps:\n- name: mark\n  wait: {for: 1ms}\n- name: after\n  pool: {none-since: mark, hold: 1s}\n");
  EXPECT_EQ(ep.status, Status::failed);
  EXPECT_NE(step(ep, "after").observed.find("a share arrived after 'mark'"), std::string::npos) << step(ep, "after").observed;
  EXPECT_EQ(step(ep, "after").attempts, 1) << "a violation is final, not retried";
}

TEST(Engine, MetricsThresholds) {
  Fixture f;
  f.rec.on_sequence("metrics.k8s.io", {R::ok(R"({"items":[]})"),
                                       R::ok(R"({"items":[{"metadata":{"name":"proxy-api-1"},"containers":[{"usage":{"cpu":"412000000n","memory":"15Mi"}}]}]})"),
                                       R::ok(R"({"items":[{"metadata":{"name":"proxy-api-1"},"containers":[{"usage":{"cpu":"979123456n","memory":"15360Ki"}}]}]})")});
  auto ep = f.run("steps:\n- name: top\n  metrics: {selector: app=proxy-api, cpu: {min: 900m}, memory: {max: 64Mi}}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_EQ(step(ep, "top").attempts, 3);
  EXPECT_EQ(step(ep, "top").observed, "cpu 979m, memory 15Mi (proxy-api-1)");
}

TEST(Engine, HttpAndProcessAndFile) {
  Fixture f;
  f.rec.on("wget -S", R::fail(0, "Connecting to internal-api (10.96.3.4:80)\n  HTTP/1.1 200 OK\n", "<html>ok</html>"));
  f.rec.on("/proc/", R::ok("fake-miner\nkworker/u8:2\nsh\ncat\n"));
  f.rec.on("cat /opt/miner/config.json", R::ok(R"({"pools":[{"url": "pool.supportxmr.test:3333","algo": "rx/0"}],"user-agent":"XMRig/6.22.2"})"));
  auto ep = f.run(
      "steps:\n- name: http\n  http: {from: deployment/proxy-api, url: http://internal-api, status: 200}\n"
      "- name: proc\n  process: {in: deployment/proxy-api, name: kworker/u8:2}\n"
      "- name: file\n  file: {in: deployment/proxy-api, path: /opt/miner/config.json, contains: ['\"algo\": *\"rx/0\"', 'xmrig/6\\.22\\.2'], ignore-case: true}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_EQ(step(ep, "http").observed, "HTTP/1.1 200 OK");
  EXPECT_EQ(f.lines_with("wget")[0], "kubectl --kubeconfig /k/config exec -n net-demo deployment/proxy-api -- timeout 3 wget -S -O- http://internal-api");
}

TEST(Engine, RbacReadsOnlyTheFirstWord) {
  // CASES 12: "no - <reason>" is a no; the full ServiceAccount name is passed through.
  Fixture f;
  f.rec.on("can-i list secrets", R::fail(1, "", "no - RBAC: no rule\n"));
  f.rec.on("can-i list pods", R::ok("yes\n"));
  auto ep = f.run(
      "steps:\n- name: pods\n  rbac: {as: 'system:serviceaccount:net-demo:web-api-sa', verb: list, resource: pods, allowed: true}\n"
      "- name: secrets\n  rbac: {as: 'system:serviceaccount:net-demo:web-api-sa', verb: list, resource: secrets, allowed: false}\n");
  EXPECT_EQ(ep.status, Status::passed) << ep.message;
  EXPECT_NE(f.index_of("auth can-i list pods --as system:serviceaccount:net-demo:web-api-sa -n net-demo"), SIZE_MAX);
}

TEST(Engine, AdmissionDeniedByNamedPolicy) {
  Fixture f;
  f.rec.on("--dry-run=server", R::fail(1, "Error from server (Forbidden): error when creating \"STDIN\": pods \"miner\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"));
  auto ep = f.run("steps:\n- name: psa\n  admission: {file: manifests/episodes/net-demo/proxy-api.yaml, result: denied, policy: 'restricted:latest', reasons: ['allowPrivilegeEscalation != false']}\n"
                  "- name: psa-wrong\n  admission: {file: manifests/episodes/net-demo/proxy-api.yaml, result: denied, reasons: ['hostPID']}\n");
  EXPECT_EQ(step(ep, "psa").status, Status::passed);
  EXPECT_EQ(step(ep, "psa-wrong").status, Status::failed);
  EXPECT_NE(step(ep, "psa-wrong").observed.find("lacks \"hostPID\""), std::string::npos);
}
