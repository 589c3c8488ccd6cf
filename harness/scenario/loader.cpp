#include "scenario/loader.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "scenario/fields.h"

namespace labctl::scenario {
namespace {

const std::regex kDnsLabel("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

void load_steps(const YAML::Node& list, const std::string& group, Diagnostics& diag,
                const OperationFactory& ops, std::set<std::string>& names, std::vector<Step>& out) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    diag.add(list, group + ": expected a list of steps");
    return;
  }
  const auto kinds = ops.kinds();
  int index = 0;
  for (const auto& node : list) {
    ++index;
    std::string what = group + "[" + std::to_string(index) + "]";
    Fields f(node, what, diag);
    if (!f.valid()) continue;
    Step step;
    step.at = diag.at(node);
    step.name = f.str_or("name", group + "-" + std::to_string(index));
    step.say = f.str_or("say", "");
    step.timeout = f.duration("timeout");
    if (!names.insert(step.name).second)
      diag.add(node["name"].IsDefined() ? node["name"] : node, what + ": duplicate step name '" + step.name + "'",
               "step names must be unique in an episode; pool.none-since refers to them");
    std::vector<std::string> found;
    for (const auto& k : kinds)
      if (f.has(k)) found.push_back(k);
    if (found.empty()) {
      // Name the likeliest kind if an unknown key looks like one.
      std::string hint;
      for (const auto& kv : node) {
        auto k = kv.first.Scalar();
        if (k == "name" || k == "say" || k == "timeout") continue;
        auto near = closest(k, kinds);
        if (!near.empty()) hint = "'" + k + "' is not an operation kind; did you mean '" + near + "'?";
      }
      std::string list_kinds;
      for (const auto& k : kinds) list_kinds += (list_kinds.empty() ? "" : ", ") + k;
      diag.add(node, what + ": a step needs exactly one operation (" + list_kinds + ")", hint);
      f.finish();
      continue;
    }
    if (found.size() > 1) {
      diag.add(node, what + ": a step has exactly one operation, found " + found[0] + " and " + found[1],
               "split it into two steps");
    }
    step.op = ops.parse(found[0], node[found[0]], diag);
    f.finish();
    if (step.op) out.push_back(std::move(step));
  }
}

// References between steps, and to lab files: checked once every step is read.
void check_refs(const Scenario& sc, const std::filesystem::path& lab_dir, Diagnostics& diag) {
  std::vector<std::string> before;  // names of the steps that run before the current one
  std::vector<std::string> all;
  for (const auto* group : {&sc.setup, &sc.steps, &sc.cleanup})
    for (const auto& s : *group) all.push_back(s.name);
  for (const auto* group : {&sc.setup, &sc.steps, &sc.cleanup}) {
    for (const auto& s : *group) {
      for (const auto& r : s.op->step_refs()) {
        if (std::find(before.begin(), before.end(), r.value) != before.end()) continue;
        Problem p{r.at, r.key + ": no step named '" + r.value + "' runs before step '" + s.name + "'", {}};
        if (std::find(all.begin(), all.end(), r.value) != all.end())
          p.hint = "step '" + r.value + "' comes later; it must have ended before this step checks";
        else if (auto near = closest(r.value, before); !near.empty())
          p.hint = "did you mean '" + near + "'?";
        else
          p.hint = "name an earlier step (its `name:`)";
        diag.add(std::move(p));
      }
      if (!lab_dir.empty())
        for (const auto& r : s.op->file_refs()) {
          std::error_code ec;
          auto path = lab_dir / r.value;
          if (!std::filesystem::is_regular_file(path, ec))
            diag.add(Problem{r.at, r.key + ": " + r.value + " not found under the lab directory " + lab_dir.string(),
                             "paths are relative to the lab directory, e.g. manifests/episodes/net-demo/proxy-api.yaml"});
        }
      before.push_back(s.name);
    }
  }
}

LoadResult load_node(const YAML::Node& root, Diagnostics& diag, const OperationFactory& ops, const std::filesystem::path& lab_dir) {
  LoadResult result;
  Fields f(root, "episode", diag);
  auto scenario = std::make_unique<Scenario>();
  scenario->file = diag.file();
  if (f.valid()) {
    auto api = f.str("apiVersion", true);
    if (api && *api != kApiVersion)
      diag.add(root["apiVersion"], "unsupported apiVersion '" + *api + "'", std::string("this labctl reads ") + kApiVersion);
    auto kind = f.str("kind", true);
    if (kind && *kind != kKind) diag.add(root["kind"], "unsupported kind '" + *kind + "'", std::string("expected kind: ") + kKind);
    scenario->api_version = api.value_or("");
    auto id = f.str("id", true);
    if (id) {
      if (!std::regex_match(*id, kDnsLabel) || id->size() > 40)
        diag.add(root["id"], "id '" + *id + "' must be a lowercase DNS label of at most 40 characters", "e.g. episode-5");
      scenario->id = *id;
    }
    scenario->title = f.str("title", true).value_or("");
    scenario->story = f.str("story", true).value_or("");
    scenario->takeaway = f.str_or("takeaway", "");
    scenario->namespaces = f.strings("namespaces");
    for (size_t i = 0; i < scenario->namespaces.size(); ++i) {
      const auto& ns = scenario->namespaces[i];
      if (!std::regex_match(ns, kDnsLabel) || ns.size() > 63)
        diag.add(root["namespaces"][i], "namespace '" + ns + "' is not a valid DNS label");
    }
    std::set<std::string> names;
    load_steps(f.raw("setup"), "setup", diag, ops, names, scenario->setup);
    load_steps(f.raw("steps"), "steps", diag, ops, names, scenario->steps);
    load_steps(f.raw("cleanup"), "cleanup", diag, ops, names, scenario->cleanup);
    if (!f.has("steps")) diag.add(root, "episode: missing required key 'steps'");
    check_refs(*scenario, lab_dir, diag);
    f.finish();
  }
  result.problems = diag.problems();
  if (result.problems.empty()) result.scenario = std::move(scenario);
  return result;
}

}  // namespace

LoadResult load_string(const std::string& text, const std::string& file_name, const OperationFactory& ops,
                       const std::filesystem::path& lab_dir) {
  Diagnostics diag(file_name);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    diag.add(e.mark, "YAML syntax error: " + e.msg);
    return {nullptr, diag.problems()};
  }
  if (docs.size() != 1) {
    diag.add(YAML::Mark::null_mark(), "expected exactly one YAML document, found " + std::to_string(docs.size()));
    return {nullptr, diag.problems()};
  }
  return load_node(docs[0], diag, ops, lab_dir);
}

LoadResult load_file(const std::filesystem::path& file, const OperationFactory& ops, const std::filesystem::path& lab_dir) {
  std::ifstream in(file);
  if (!in) {
    Diagnostics diag(file.string());
    diag.add(YAML::Mark::null_mark(), "cannot read file", "check the path; episodes live in <lab>/scenarios/");
    return {nullptr, diag.problems()};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), file.string(), ops, lab_dir);
}

std::vector<std::filesystem::path> episode_files(const std::filesystem::path& lab_dir) {
  std::vector<std::pair<int, std::filesystem::path>> found;
  std::error_code ec;
  const std::regex name("episode-([0-9]+)\\.yaml");
  for (const auto& e : std::filesystem::directory_iterator(lab_dir / "scenarios", ec)) {
    std::smatch m;
    std::string fn = e.path().filename().string();
    if (std::regex_match(fn, m, name)) found.emplace_back(std::stoi(m[1]), e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::filesystem::path> out;
  for (auto& [n, p] : found) out.push_back(p);
  return out;
}

}  // namespace labctl::scenario
