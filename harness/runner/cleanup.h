// The cleanup stack: everything a run creates is pushed here and undone newest-first, each undo
// with its own timeout. A failed undo is a failed run.
#pragma once

#include <mutex>
#include <vector>

#include "report/tree.h"
#include "steps/context.h"

namespace labctl::runner {

class Cleaner final : public UndoSink {
 public:
  void push(Undo undo) override;
  size_t size() const;
  // Runs and pops every undo, newest first; one StepResult per undo (group "teardown").
  std::vector<report::StepResult> unwind(CommandRunner& runner, report::Listener* listener);
  // --keep: forget them (the report lists what was left).
  std::vector<Undo> release();

 private:
  mutable std::mutex mu_;
  std::vector<Undo> stack_;
};

}  // namespace labctl::runner
