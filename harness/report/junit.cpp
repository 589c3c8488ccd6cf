// JUnit XML: one testsuite per episode, one testcase per step, carrying the real observation
// and the failing command in <failure>/<error>.
#include <ostream>

#include "report/writers.h"

namespace labctl::report {
namespace {

std::string xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') o += '?';
        else o += c;
    }
  }
  return o;
}

}  // namespace

void write_junit(std::ostream& out, const RunResult& run) {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  for (const auto& e : run.episodes)
    for (const auto& s : e.steps) {
      ++tests;
      failures += s.status == Status::failed;
      errors += s.status == Status::error;
      skipped += s.status == Status::skipped;
    }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"labctl\" tests=\"" << tests << "\" failures=\"" << failures << "\" errors=\"" << errors
      << "\" skipped=\"" << skipped << "\" time=\"" << format_seconds(run.duration) << "\" timestamp=\"" << xml(run.started) << "\">\n";
  for (const auto& e : run.episodes) {
    int f = 0, er = 0, sk = 0;
    for (const auto& s : e.steps) {
      f += s.status == Status::failed;
      er += s.status == Status::error;
      sk += s.status == Status::skipped;
    }
    out << "  <testsuite name=\"" << xml(e.id) << "\" tests=\"" << e.steps.size() << "\" failures=\"" << f << "\" errors=\"" << er
        << "\" skipped=\"" << sk << "\" time=\"" << format_seconds(e.duration) << "\">\n";
    out << "    <properties><property name=\"run_id\" value=\"" << xml(e.run_id) << "\"/><property name=\"title\" value=\""
        << xml(e.title) << "\"/></properties>\n";
    for (const auto& s : e.steps) {
      out << "    <testcase classname=\"" << xml(e.id + "." + s.group) << "\" name=\"" << xml(s.name) << "\" time=\""
          << format_seconds(s.duration) << "\"";
      std::string text = s.summary + "\nexpected: " + s.expected + "\nobserved: " + s.observed;
      if (!s.detail.empty()) text += "\n" + s.detail;
      switch (s.status) {
        case Status::passed: out << "/>\n"; continue;
        case Status::skipped: out << ">\n      <skipped message=\"" << xml(s.observed) << "\"/>\n"; break;
        case Status::failed:
          out << ">\n      <failure message=\"" << xml(s.observed) << "\" type=\"" << xml(s.kind) << "\">" << xml(text) << "</failure>\n";
          break;
        case Status::error:
          out << ">\n      <error message=\"" << xml(s.observed) << "\" type=\"" << xml(s.kind) << "\">" << xml(text) << "</error>\n";
          break;
      }
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace labctl::report
