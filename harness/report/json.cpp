// JSON report: the result tree as-is (durations in seconds).
#include <nlohmann/json.hpp>
#include <ostream>

#include "report/writers.h"

namespace labctl::report {

void write_json(std::ostream& out, const RunResult& run) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["run"] = run.id;
  j["started"] = run.started;
  j["status"] = to_string(run.status());
  j["interrupted"] = run.interrupted;
  j["duration_seconds"] = static_cast<double>(run.duration.count()) / 1000.0;
  j["episodes"] = ordered_json::array();
  for (const auto& e : run.episodes) {
    ordered_json je;
    je["id"] = e.id;
    je["title"] = e.title;
    je["file"] = e.file;
    je["run_id"] = e.run_id;
    je["status"] = to_string(e.status);
    je["message"] = e.message;
    je["duration_seconds"] = static_cast<double>(e.duration.count()) / 1000.0;
    je["cleanup_seconds"] = static_cast<double>(e.cleanup_duration.count()) / 1000.0;
    je["processes"] = e.processes;
    je["api_requests"] = e.api_requests;
    je["steps"] = ordered_json::array();
    for (const auto& s : e.steps) {
      ordered_json js;
      js["group"] = s.group;
      js["name"] = s.name;
      js["kind"] = s.kind;
      js["summary"] = s.summary;
      if (!s.say.empty()) js["say"] = s.say;
      if (!s.expected.empty()) js["expected"] = s.expected;
      js["observed"] = s.observed;
      js["status"] = to_string(s.status);
      js["attempts"] = s.attempts;
      js["duration_seconds"] = static_cast<double>(s.duration.count()) / 1000.0;
      if (!s.detail.empty()) js["detail"] = s.detail;
      je["steps"].push_back(std::move(js));
    }
    j["episodes"].push_back(std::move(je));
  }
  out << j.dump(2) << '\n';
}

}  // namespace labctl::report
