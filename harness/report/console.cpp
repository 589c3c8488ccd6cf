// Console narration: story, one ✓/✗ line per step with observed vs expected, a spinner on
// waits when stdout is a TTY, colour unless NO_COLOR or not a TTY.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "report/writers.h"

namespace labctl::report {

ConsoleStyle detect_console_style(int fd) {
  ConsoleStyle s;
  bool tty = ::isatty(fd) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  s.color = tty && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
  s.spinner = tty;
  return s;
}

ConsoleWriter::~ConsoleWriter() { stop_spinner(); }

std::string ConsoleWriter::paint(const char* code, const std::string& s) const {
  if (!style_.color) return s;
  return std::string("\033[") + code + "m" + s + "\033[0m";
}

void ConsoleWriter::stop_spinner() {
  if (spinning_.exchange(false) && spin_.joinable()) spin_.join();
  std::lock_guard lock(mu_);
  if (spin_line_dirty_) {
    out_ << "\r\033[2K" << std::flush;
    spin_line_dirty_ = false;
  }
}

void ConsoleWriter::note(const std::string& line) {
  bool was = spinning_.load();
  std::string text;
  if (was) {
    std::lock_guard lock(mu_);
    text = spin_text_;
  }
  stop_spinner();
  {
    std::lock_guard lock(mu_);
    out_ << paint("2", line) << '\n' << std::flush;
  }
  (void)text;
}

void ConsoleWriter::episode_started(const EpisodeResult& ep, const std::string& story) {
  std::lock_guard lock(mu_);
  out_ << '\n' << paint("1", "▶ " + ep.id + ": " + ep.title) << "  " << paint("2", "(run " + ep.run_id + ")") << '\n';
  if (style_.narrate && !story.empty()) {
    std::istringstream in(story);
    std::string line;
    while (std::getline(in, line)) out_ << "  " << paint("3", line) << '\n';
  }
  out_ << std::flush;
}

void ConsoleWriter::step_started(const StepResult& s) {
  {
    std::lock_guard lock(mu_);
    if (style_.narrate && !s.say.empty()) out_ << "\n  " << s.say << '\n' << std::flush;
    spin_text_ = s.summary;
  }
  if (!style_.spinner) return;
  spinning_ = true;
  spin_ = std::thread([this] {
    static const char* frames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    int i = 0;
    while (spinning_) {
      {
        std::lock_guard lock(mu_);
        out_ << "\r\033[2K  " << frames[i++ % 10] << ' ' << spin_text_ << std::flush;
        spin_line_dirty_ = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void ConsoleWriter::step_progress(const StepResult& s, const std::string& last) {
  std::lock_guard lock(mu_);
  spin_text_ = s.summary + " — now: " + last;
}

void ConsoleWriter::step_finished(const StepResult& s) {
  stop_spinner();
  std::lock_guard lock(mu_);
  std::string mark;
  switch (s.status) {
    case Status::passed: mark = paint("32", "✓"); break;
    case Status::failed:
    case Status::error: mark = paint("31", "✗"); break;
    case Status::skipped: mark = paint("2", "-"); break;
  }
  out_ << "  " << mark << ' ' << s.summary;
  if (!s.expected.empty()) out_ << paint("2", "  expected: ") << s.expected;
  if (!s.observed.empty()) out_ << paint("2", s.expected.empty() ? "  → " : "  observed: ") << s.observed;
  if (s.duration.count() > 0) out_ << paint("2", "  (" + format_duration(s.duration) + ")");
  out_ << '\n';
  if ((s.status == Status::failed || s.status == Status::error) && !s.detail.empty()) {
    std::istringstream in(s.detail);
    std::string line;
    while (std::getline(in, line)) out_ << "      " << paint("2", line) << '\n';
  }
  out_ << std::flush;
}

void ConsoleWriter::episode_finished(const EpisodeResult& ep) {
  std::lock_guard lock(mu_);
  bool ok = ep.status == Status::passed;
  out_ << (ok ? paint("32", "✓ " + ep.id + " passed") : paint("31", "✗ " + ep.id + " " + to_string(ep.status) + ": " + ep.message))
       << paint("2", "  (" + format_duration(ep.duration) + ", cleanup " + format_duration(ep.cleanup_duration) + ", " +
                         std::to_string(ep.processes) + " processes" +
                         (ep.api_requests > 0 ? ", " + std::to_string(ep.api_requests) + " API requests" : std::string()) + ")")
       << '\n'
       << std::flush;
}

void ConsoleWriter::summary(const RunResult& run) {
  std::lock_guard lock(mu_);
  int passed = 0;
  for (const auto& e : run.episodes) passed += e.status == Status::passed;
  out_ << '\n'
       << (run.status() == Status::passed ? paint("32", "✓") : paint("31", "✗")) << ' ' << passed << '/' << run.episodes.size()
       << " episodes passed in " << format_duration(run.duration) << " (run " << run.id << ")"
       << (run.interrupted ? " — interrupted" : "") << '\n'
       << std::flush;
}

}  // namespace labctl::report
