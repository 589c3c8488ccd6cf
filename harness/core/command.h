// Every external command (kubectl, kind, docker, hostctl.sh) goes through CommandRunner: argv
// only, never a shell string. ProcessRunner runs it with Boost.Process; RecordingRunner is the
// fake the unit tests script. A failed command renders as a quoted, pasteable line plus output.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"

namespace labctl {

struct Command {
  std::vector<std::string> argv;
  std::string stdin_data;
  Millis timeout{std::chrono::seconds(60)};
  std::map<std::string, std::string> env;  // added to the inherited environment
  bool passthrough = false;  // stdout/stderr go to the terminal (long progress, e.g. hostctl.sh up)
};

struct CommandResult {
  int exit_code = -1;      // -1: could not start, or killed at the timeout
  bool timed_out = false;
  bool not_found = false;  // argv[0] is not an executable on PATH
  std::string out;
  std::string err;
  Millis elapsed{0};
  bool ok() const { return exit_code == 0; }
};

// "kubectl get pods -n 'net demo'": POSIX-shell quoting, so the line can be pasted.
std::string quote_arg(const std::string& arg);
std::string quote_line(const std::vector<std::string>& argv);
// Multi-line description of a failed command: the pasteable line, exit status, output tail.
std::string describe_failure(const Command& cmd, const CommandResult& r);

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const Command& cmd) = 0;
  // Processes spawned so far (a benchmark figure).
  virtual int spawned() const = 0;
  // A command labctl carries out itself instead (an API GET in place of `kubectl get --raw`),
  // shown by --explain as that pasteable line; nothing is run.
  virtual void announce(const Command& cmd) { (void)cmd; }
};

class ProcessRunner final : public CommandRunner {
 public:
  CommandResult run(const Command& cmd) override;
  int spawned() const override;

 private:
  mutable std::mutex mu_;
  int spawned_ = 0;
};

// Prints every command as a pasteable line (--explain), then delegates.
class ExplainingRunner final : public CommandRunner {
 public:
  using Sink = std::function<void(const std::string& line)>;
  ExplainingRunner(CommandRunner& inner, Sink sink) : inner_(inner), sink_(std::move(sink)) {}
  CommandResult run(const Command& cmd) override;
  int spawned() const override { return inner_.spawned(); }
  void announce(const Command& cmd) override;

 private:
  CommandRunner& inner_;
  Sink sink_;
};

// Test fake: records every command; answers from rules matched on a substring of the quoted
// line (the most recently added matching rule wins, so a test can override a fixture's
// default; a sequence's last answer repeats), else a default.
class RecordingRunner final : public CommandRunner {
 public:
  struct Rule {
    std::string contains;
    std::deque<CommandResult> answers;
  };
  void on(std::string contains, CommandResult answer);
  void on_sequence(std::string contains, std::vector<CommandResult> answers);
  void set_default(CommandResult r) { default_ = std::move(r); }
  CommandResult run(const Command& cmd) override;
  int spawned() const override;
  void announce(const Command& cmd) override;

  std::vector<Command> commands() const;
  std::vector<std::string> announced() const;  // quote_line of each announced command
  std::vector<std::string> lines() const;  // quote_line of each argv
  static CommandResult ok(std::string out = {}, std::string err = {});
  static CommandResult fail(int code, std::string err, std::string out = {});

 private:
  mutable std::mutex mu_;
  std::vector<Rule> rules_;
  std::vector<Command> seen_;
  std::vector<std::string> announced_;
  CommandResult default_ = ok();
};

}  // namespace labctl
