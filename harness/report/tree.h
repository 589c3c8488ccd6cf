// The result tree every writer reads: run -> episode -> step (with its observation and times).
// The engine fills it; console, JSON and JUnit writers only read it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/duration.h"

namespace labctl::report {

enum class Status { passed, failed, error, skipped };
const char* to_string(Status s);

struct StepResult {
  std::string group;  // setup, steps, cleanup, teardown (undo of created objects)
  std::string name;
  std::string kind;
  std::string say;
  std::string summary;
  std::string expected;  // empty for actions
  std::string observed;
  std::string detail;    // failing command line and output
  Status status = Status::skipped;
  int attempts = 0;
  Millis duration{0};
};

struct EpisodeResult {
  std::string id;
  std::string title;
  std::string file;
  std::string run_id;
  Status status = Status::skipped;
  std::string message;  // why it failed, one line
  bool environment = false;  // the cluster's state kept it from starting (exit 3), e.g. its namespace is taken
  Millis duration{0};
  Millis cleanup_duration{0};
  int processes = 0;     // commands spawned for this episode
  int api_requests = 0;  // GETs the API client sent instead (cluster/api.h)
  std::vector<StepResult> steps;
};

struct RunResult {
  std::string id;
  std::string started;  // RFC 3339, UTC
  Millis duration{0};
  bool interrupted = false;
  std::vector<EpisodeResult> episodes;
  Status status() const;
};

// Receives progress while the engine runs (the console writer narrates from it).
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void episode_started(const EpisodeResult&, const std::string& story) { (void)story; }
  virtual void step_started(const StepResult&) {}
  virtual void step_progress(const StepResult&, const std::string& last_observed) { (void)last_observed; }
  virtual void step_finished(const StepResult&) {}
  virtual void episode_finished(const EpisodeResult&) {}
};

}  // namespace labctl::report
