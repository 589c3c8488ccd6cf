// Pieces shared by operation kinds: a workload target ("deployment/proxy-api" in a namespace,
// optionally a container), running argv inside it, and the registration helper.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/fields.h"
#include "scenario/model.h"
#include "steps/context.h"

namespace labctl::steps {

using scenario::Fields;
using scenario::Observation;

struct Target {
  std::string ref;        // deployment/proxy-api, pod/x
  std::string ns;         // empty: the episode's default namespace
  std::string container;  // empty: the default container
  std::string namespace_in(const Context& ctx) const { return ns.empty() ? ctx.default_namespace : ctx.expand(ns); }
  std::string describe() const { return ref + (ns.empty() ? "" : " -n " + ns); }
};

// Reads `key` (the workload reference), `namespace` and `container` from the mapping.
Target read_target(Fields& f, const std::string& key);

struct Ran {
  Command command;
  CommandResult result;
  std::optional<cluster::ApiResponse> api;  // set when the API client answered instead of kubectl
};
// kubectl exec -n <ns> <ref> [-c c] -- argv... (argv expanded with the run's variables)
Ran exec_in(Context& ctx, const Target& t, const std::vector<std::string>& argv, Millis timeout);
Ran kubectl(Context& ctx, std::vector<std::string> args, Millis timeout = std::chrono::seconds(30), std::string stdin_data = {});
// `kubectl get --raw path`, answered over the API client when there is one (see cluster/kubectl.h).
Ran get_raw(Context& ctx, const std::string& path, Millis timeout = std::chrono::seconds(30));
// kubectl itself failed (API unreachable, pod not found), as opposed to the command inside.
bool kubectl_error(const CommandResult& r);

// First non-empty line of text, trimmed to max characters, for one-line observations.
std::string first_line(const std::string& text, size_t max = 120);
std::string last_line(const std::string& text, size_t max = 120);
std::string trim(const std::string& s);

// Poll-friendly failure: the command's failure rendered as detail, first stderr line as observed.
Observation pending_from(const Ran& ran, const std::string& what);
Observation fail_from(const Ran& ran, const std::string& what);

}  // namespace labctl::steps
