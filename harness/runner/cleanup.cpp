#include "runner/cleanup.h"

#include "steps/common.h"

namespace labctl::runner {

void Cleaner::push(Undo undo) {
  std::lock_guard lock(mu_);
  stack_.push_back(std::move(undo));
}

size_t Cleaner::size() const {
  std::lock_guard lock(mu_);
  return stack_.size();
}

std::vector<report::StepResult> Cleaner::unwind(CommandRunner& runner, report::Listener* listener) {
  std::vector<report::StepResult> out;
  for (;;) {
    Undo u;
    {
      std::lock_guard lock(mu_);
      if (stack_.empty()) break;
      u = std::move(stack_.back());
      stack_.pop_back();
    }
    report::StepResult s;
    s.group = "teardown";
    s.name = u.description;
    s.kind = "undo";
    s.summary = u.description;
    if (listener) listener->step_started(s);
    auto r = runner.run(u.command);
    s.attempts = 1;
    s.duration = r.elapsed;
    if (r.ok()) {
      s.status = report::Status::passed;
      s.observed = steps::first_line(r.out);
    } else {
      s.status = report::Status::failed;
      s.observed = r.timed_out ? "undo timed out after " + format_duration(u.command.timeout) : steps::first_line(r.err);
      s.detail = describe_failure(u.command, r);
    }
    if (listener) listener->step_finished(s);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Undo> Cleaner::release() {
  std::lock_guard lock(mu_);
  std::vector<Undo> v;
  v.swap(stack_);
  return v;
}

}  // namespace labctl::runner
