// file: a file inside a workload exists (and its content matches patterns) or is absent.
#include <regex>

#include "steps/common.h"

namespace labctl::steps {
namespace {

class File final : public scenario::Operation {
 public:
  Target in;
  std::string path;
  bool exists = true;
  std::vector<std::string> patterns;
  std::vector<std::regex> res;
  std::string kind() const override { return "file"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return path + " in " + in.describe(); }
  std::string expected() const override {
    if (!exists) return "absent";
    std::string s = "present";
    for (const auto& p : patterns) s += ", /" + p + "/";
    return s;
  }
  Millis default_timeout() const override { return std::chrono::seconds(20); }

  Observation attempt(Context& ctx) override {
    auto ran = exec_in(ctx, in, {"cat", path}, std::chrono::seconds(20));
    const auto& r = ran.result;
    if (kubectl_error(r) && r.err.find("No such file") == std::string::npos) return pending_from(ran, "probe did not run");
    bool present = r.exit_code == 0;
    if (!exists) {
      if (!present) return Observation::pass("absent (" + first_line(r.err) + ")");
      return Observation::pending("present (" + std::to_string(r.out.size()) + " bytes)");
    }
    if (!present) return Observation::pending("absent (" + first_line(r.err) + ")");
    std::string missing, found;
    for (size_t i = 0; i < res.size(); ++i) {
      std::smatch m;
      if (std::regex_search(r.out, m, res[i])) found += (found.empty() ? "" : ", ") + first_line(m.str(0), 60);
      else missing += (missing.empty() ? "" : ", ") + ("/" + patterns[i] + "/");
    }
    if (missing.empty()) return Observation::pass("present" + (found.empty() ? "" : ": " + found));
    return Observation::pending("present, but no match for " + missing, r.out);
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_file(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "file", diag);
  auto op = std::make_unique<File>();
  op->in = read_target(f, "in");
  op->path = f.str("path", true).value_or("");
  op->exists = f.boolean("exists").value_or(true);
  op->patterns = f.strings("contains");
  bool icase = f.boolean("ignore-case").value_or(false);
  for (size_t i = 0; i < op->patterns.size(); ++i) {
    try {
      auto flags = std::regex::ECMAScript;
      if (icase) flags |= std::regex::icase;
      op->res.emplace_back(op->patterns[i], flags);
    } catch (const std::regex_error& e) {
      diag.add(body["contains"], "file.contains: '" + op->patterns[i] + "' is not a valid regular expression");
    }
  }
  if (!op->exists && !op->patterns.empty()) diag.add(body, "file: contains makes no sense with exists: false");
  f.finish();
  return op;
}

}  // namespace labctl::steps
