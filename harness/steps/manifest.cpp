#include "steps/manifest.h"

#include <fstream>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace labctl::steps {

namespace {
void add_labels(YAML::Node meta, const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) meta["labels"][k] = v;
}
// yaml-cpp's emitter forgets that a scalar was quoted ("3" becomes 3, which the API server
// rejects for a string field); re-emit quoted scalars (tag "!") double-quoted.
void emit(YAML::Emitter& em, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      em << YAML::BeginMap;
      for (const auto& kv : n) {
        em << YAML::Key;
        emit(em, kv.first);
        em << YAML::Value;
        emit(em, kv.second);
      }
      em << YAML::EndMap;
      break;
    case YAML::NodeType::Sequence:
      em << YAML::BeginSeq;
      for (const auto& item : n) emit(em, item);
      em << YAML::EndSeq;
      break;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "!") em << YAML::DoubleQuoted << n.Scalar();
      else em << n.Scalar();
      break;
    default: em << YAML::Null; break;
  }
}
}  // namespace

Result<Stamped> stamp_manifest(const std::string& text, const std::map<std::string, std::string>& labels) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return Error{"manifest is not valid YAML: " + std::string(e.what()), ""};
  }
  Stamped out;
  YAML::Emitter em;
  for (auto& doc : docs) {
    if (!doc.IsDefined() || doc.IsNull()) continue;
    if (!doc.IsMap() || !doc["kind"] || !doc["metadata"] || !doc["metadata"]["name"])
      return Error{"manifest document without kind or metadata.name", ""};
    const std::string kind = doc["kind"].as<std::string>();
    out.objects.push_back({kind, doc["metadata"]["name"].as<std::string>()});
    add_labels(doc["metadata"], labels);
    if (kind == "Deployment" || kind == "DaemonSet" || kind == "StatefulSet" || kind == "ReplicaSet" || kind == "Job")
      add_labels(doc["spec"]["template"]["metadata"], labels);
    else if (kind == "CronJob")
      add_labels(doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"], labels);
    em << YAML::BeginDoc;
    emit(em, doc);
  }
  out.yaml = em.c_str();
  out.yaml += "\n";
  return out;
}

Result<std::string> read_manifest(const Context& ctx, const std::string& relative_path) {
  auto path = ctx.lab_dir / relative_path;
  std::ifstream in(path);
  if (!in) return Error{"cannot read manifest " + path.string(), "paths in scenarios are relative to the lab directory"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ctx.expand(ss.str());
}

}  // namespace labctl::steps
