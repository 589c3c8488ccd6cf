// Writers over the result tree: console (live narration as a Listener, plus a summary), JSON
// and JUnit (written once the run is over).
#pragma once

#include <atomic>
#include <iosfwd>
#include <mutex>
#include <thread>

#include "report/tree.h"

namespace labctl::report {

struct ConsoleStyle {
  bool color = false;    // off with NO_COLOR or without a TTY
  bool spinner = false;  // only on a TTY
  bool narrate = true;   // print story text and step narration
};
ConsoleStyle detect_console_style(int fd);

class ConsoleWriter final : public Listener {
 public:
  ConsoleWriter(std::ostream& out, ConsoleStyle style) : out_(out), style_(style) {}
  ~ConsoleWriter() override;
  void episode_started(const EpisodeResult&, const std::string& story) override;
  void step_started(const StepResult&) override;
  void step_progress(const StepResult&, const std::string& last_observed) override;
  void step_finished(const StepResult&) override;
  void episode_finished(const EpisodeResult&) override;
  void summary(const RunResult&);
  // A line outside the step flow (--explain commands); clears the spinner first.
  void note(const std::string& line);

 private:
  std::string paint(const char* code, const std::string& s) const;
  void stop_spinner();
  std::ostream& out_;
  ConsoleStyle style_;
  std::mutex mu_;
  std::thread spin_;
  std::atomic<bool> spinning_{false};
  std::string spin_text_;
  bool spin_line_dirty_ = false;
};

void write_json(std::ostream& out, const RunResult& run);
void write_junit(std::ostream& out, const RunResult& run);

}  // namespace labctl::report
