#include "report/tree.h"

namespace labctl::report {

const char* to_string(Status s) {
  switch (s) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::error: return "error";
    case Status::skipped: return "skipped";
  }
  return "error";
}

Status RunResult::status() const {
  if (interrupted) return Status::error;
  Status worst = Status::passed;
  for (const auto& e : episodes) {
    if (e.status == Status::error) return Status::error;
    if (e.status == Status::failed) worst = Status::failed;
  }
  return worst;
}

}  // namespace labctl::report
