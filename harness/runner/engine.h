// The engine runs one episode: namespaces, setup, steps, cleanup steps, then the cleanup stack
// (unless --keep). Actions run once; expectations are polled until their deadline and report
// the last observation when it passes.
#pragma once

#include <filesystem>
#include <string>

#include "cluster/kubectl.h"
#include "report/tree.h"
#include "scenario/model.h"

namespace labctl::runner {

struct EngineOptions {
  std::filesystem::path lab_dir;
  std::string invocation_id;
  bool keep = false;
  Millis pace{0};                    // presenter pause before each step of the story
  Millis poll_interval{1000};        // between attempts of an expectation
  Millis namespace_gone{std::chrono::seconds(90)};  // waiting out a Terminating namespace
};

class Engine {
 public:
  Engine(cluster::Kubectl& kube, EngineOptions options, report::Listener* listener)
      : kube_(kube), opt_(std::move(options)), listener_(listener) {}
  report::EpisodeResult run(const scenario::Scenario& scenario);

 private:
  cluster::Kubectl& kube_;
  EngineOptions opt_;
  report::Listener* listener_;
};

// A short random id: 6 lowercase hex characters (a DNS-label-safe label value).
std::string new_invocation_id();
std::string now_rfc3339();

}  // namespace labctl::runner
