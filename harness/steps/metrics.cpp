// metrics: CPU and memory of the pods matching a selector, from the metrics API (what
// `kubectl top pod` shows), against thresholds. metrics-server needs 30-60 s after a pod starts
// (CASES 15), so this polls to a generous deadline. Each poll is one GET over the API client's
// kept-alive connection when the kubeconfig allows it, else `kubectl get --raw`.
#include <nlohmann/json.hpp>

#include "cluster/api.h"
#include "cluster/classify.h"
#include "steps/common.h"

namespace labctl::steps {
namespace {

struct Range {
  std::optional<double> min, max;
  bool holds(double v) const { return (!min || v >= *min) && (!max || v <= *max); }
};

class Metrics final : public scenario::Operation {
 public:
  std::string selector, ns;
  Range cpu, memory;
  std::string cpu_text, memory_text;
  std::string kind() const override { return "metrics"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "kubectl top pod -l " + selector; }
  std::string expected() const override {
    std::string s;
    if (!cpu_text.empty()) s += "cpu " + cpu_text;
    if (!memory_text.empty()) s += (s.empty() ? "" : ", ") + std::string("memory ") + memory_text;
    return s;
  }
  Millis default_timeout() const override { return std::chrono::seconds(120); }

  Observation attempt(Context& ctx) override {
    std::string n = ns.empty() ? ctx.default_namespace : ctx.expand(ns);
    auto ran = get_raw(ctx, "/apis/metrics.k8s.io/v1beta1/namespaces/" + n + "/pods?labelSelector=" + cluster::query_escape(ctx.expand(selector)));
    if (!ran.result.ok()) return pending_from(ran, "metrics API");
    nlohmann::json doc = nlohmann::json::parse(ran.result.out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("items")) return Observation::pending("metrics API answered something that is not a PodMetricsList");
    if (doc["items"].empty()) return Observation::pending("no metrics yet for pods " + selector + " (metrics-server scrapes every ~15 s)");
    double cpu_m = 0, mem_b = 0;
    std::string pods;
    for (const auto& item : doc["items"]) {
      pods += (pods.empty() ? "" : ", ") + item["metadata"].value("name", std::string("?"));
      for (const auto& c : item.value("containers", nlohmann::json::array())) {
        cpu_m += cluster::cpu_millicores(c["usage"].value("cpu", std::string("0"))).value_or(0);
        mem_b += cluster::memory_bytes(c["usage"].value("memory", std::string("0"))).value_or(0);
      }
    }
    std::string observed = "cpu " + cluster::format_cpu(cpu_m) + ", memory " + cluster::format_memory(mem_b) + " (" + pods + ")";
    if (cpu.holds(cpu_m) && memory.holds(mem_b)) return Observation::pass(observed);
    return Observation::pending(observed);
  }
};

std::string parse_range(Fields& f, const std::string& key, Range& r, bool is_cpu) {
  if (!f.has(key)) {
    (void)f.raw(key);
    return {};
  }
  Fields sub(f.raw(key), key, f.diag());
  std::string text;
  for (const char* bound : {"min", "max"}) {
    auto v = sub.str(bound);
    if (!v) continue;
    auto q = is_cpu ? cluster::cpu_millicores(*v) : cluster::memory_bytes(*v);
    if (!q) {
      f.diag().add(sub.node()[bound], key + "." + bound + ": '" + *v + "' is not a " + (is_cpu ? "CPU" : "memory") + " quantity",
                   is_cpu ? "write e.g. 1000m or 1" : "write e.g. 20Mi");
      continue;
    }
    (std::string(bound) == "min" ? r.min : r.max) = *q;
    text += (text.empty() ? "" : " and ") + std::string(std::string(bound) == "min" ? ">= " : "<= ") + *v;
  }
  sub.finish();
  return text;
}

}  // namespace

std::unique_ptr<scenario::Operation> parse_metrics(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "metrics", diag);
  auto op = std::make_unique<Metrics>();
  op->selector = f.str("selector", true).value_or("");
  op->ns = f.str_or("namespace", "");
  op->cpu_text = parse_range(f, "cpu", op->cpu, true);
  op->memory_text = parse_range(f, "memory", op->memory, false);
  if (f.valid() && !f.has("cpu") && !f.has("memory"))
    diag.add(body, "metrics: give a cpu and/or memory range", "e.g. cpu: {min: 1000m}");
  f.finish();
  return op;
}

}  // namespace labctl::steps
