// What an operation may touch while it runs: kubectl, the run's identity and variables, the
// lab directory for manifests, the cleanup stack, and the times at which earlier steps ended.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster/kubectl.h"
#include "core/command.h"

namespace labctl {

// Something to undo at the end of the run, newest first (runner/cleanup implements it).
struct Undo {
  std::string description;  // "delete deployment.apps/proxy-api -n net-demo"
  Command command;          // its timeout is the per-undo timeout
};

class UndoSink {
 public:
  virtual ~UndoSink() = default;
  virtual void push(Undo undo) = 0;
};

inline constexpr const char* kRunLabel = "labctl.dev/run";
inline constexpr const char* kEpisodeLabel = "labctl.dev/episode";

struct Context {
  cluster::Kubectl& kube;
  UndoSink& undo;
  std::filesystem::path lab_dir;
  std::string run_id;      // per episode: "<invocation>-<episode id>", also the miner's rig-id
  std::string episode_id;
  std::string invocation_id;
  std::string default_namespace;
  std::set<std::string> created_namespaces;  // per-object undos there need not wait
  std::vector<std::string> created;          // "kind/name -n ns" of every object applied, once each (--keep lists them)
  std::map<std::string, std::chrono::system_clock::time_point> step_done;  // by step name
  std::map<std::string, std::string> vars;   // RUN_ID, EPISODE, NAMESPACE, ...

  // Replaces ${NAME} with vars; unknown names are left as written.
  std::string expand(const std::string& text) const;
};

}  // namespace labctl
