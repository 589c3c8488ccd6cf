// The scenario model: an episode is setup steps, then steps (actions and expectations in the
// order the talk shows them), then cleanup steps; each step carries exactly one Operation.
// Operations are defined in steps/ and created through an OperationFactory, so this layer
// knows their interface but none of their kinds.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"
#include "scenario/diagnostics.h"

namespace labctl {
struct Context;  // steps/context.h: what an operation may touch while it runs
}

namespace labctl::scenario {

inline constexpr const char* kApiVersion = "labctl.dev/v1alpha1";
inline constexpr const char* kKind = "Episode";

enum class Verdict { pass, fail, pending };

// What one attempt of an operation saw. `pending` asks the engine to try again until the
// step's deadline; the last observation is what a timeout reports.
struct Observation {
  Verdict verdict = Verdict::fail;
  std::string observed;  // short, for the ✓/✗ line: "timeout after 3.0s (nc: timed out)"
  std::string detail;    // longer: the failing command line and its output
  static Observation pass(std::string observed) { return {Verdict::pass, std::move(observed), {}}; }
  static Observation fail(std::string observed, std::string detail = {}) {
    return {Verdict::fail, std::move(observed), std::move(detail)};
  }
  static Observation pending(std::string observed, std::string detail = {}) {
    return {Verdict::pending, std::move(observed), std::move(detail)};
  }
};

class Operation {
 public:
  virtual ~Operation() = default;
  virtual std::string kind() const = 0;
  // Expectations are polled to a deadline; actions run once.
  virtual bool is_expectation() const = 0;
  // One line a presenter can read: what this step does or expects.
  virtual std::string summary() const = 0;
  // The expected value, for expectations ("timeout", "HTTP 200", "cpu >= 1000m").
  virtual std::string expected() const { return {}; }
  virtual Millis default_timeout() const { return std::chrono::seconds(30); }
  virtual Observation attempt(Context& ctx) = 0;

  // What the loader checks once the whole episode is read, so that `validate` catches what
  // would otherwise fail only at run time: the steps this one names (pool none-since: an
  // earlier step of the episode) and the lab files it reads (relative to the lab directory).
  struct Ref {
    std::string key;    // "none-since", "file"
    std::string value;
    Position at;
  };
  virtual std::vector<Ref> step_refs() const { return {}; }
  virtual std::vector<Ref> file_refs() const { return {}; }
};

struct Step {
  std::string name;  // unique within the episode; other steps refer to it (pool none-since)
  std::string say;   // narration for the presenter
  Position at;
  std::optional<Millis> timeout;
  std::unique_ptr<Operation> op;
  Millis deadline() const { return timeout ? *timeout : op->default_timeout(); }
};

struct Scenario {
  std::string file;
  std::string api_version;
  std::string id;
  std::string title;
  std::string story;  // what the trainer reads before running it
  std::string takeaway;
  std::vector<std::string> namespaces;  // created by the run (must not exist yet); first = default
  std::vector<Step> setup;
  std::vector<Step> steps;
  std::vector<Step> cleanup;
  std::string default_namespace() const { return namespaces.empty() ? "default" : namespaces.front(); }
};

class OperationFactory {
 public:
  virtual ~OperationFactory() = default;
  virtual std::vector<std::string> kinds() const = 0;
  // Parses the body under the kind key; problems go to `diag` (may return nullptr then).
  virtual std::unique_ptr<Operation> parse(const std::string& kind, const YAML::Node& body, Diagnostics& diag) const = 0;
};

}  // namespace labctl::scenario
