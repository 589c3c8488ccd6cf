// Manifests as the run applies them: ${VAR}s expanded, and the run/episode labels stamped on
// every object and on pod templates, so everything a run creates can be found by label.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "steps/context.h"

namespace labctl::steps {

struct ObjectRef {
  std::string kind;  // as written in the manifest ("Deployment")
  std::string name;
};

struct Stamped {
  std::string yaml;  // multi-document, ready for kubectl apply -f -
  std::vector<ObjectRef> objects;
};

Result<Stamped> stamp_manifest(const std::string& text, const std::map<std::string, std::string>& labels);
Result<std::string> read_manifest(const Context& ctx, const std::string& relative_path);

}  // namespace labctl::steps
