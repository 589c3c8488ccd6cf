#include "core/command.h"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <future>
#include <sstream>

#include "core/log.h"

namespace labctl {
namespace bp = boost::process;

std::string quote_arg(const std::string& a) {
  if (a.empty()) return "''";
  bool plain = true;
  for (char c : a) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@%+=:,./-_").find(c) != std::string_view::npos)) {
      plain = false;
      break;
    }
  }
  if (plain) return a;
  std::string q = "'";
  for (char c : a) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

std::string quote_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    line += quote_arg(a);
  }
  return line;
}

namespace {
std::string tail(const std::string& s, size_t max_lines) {
  size_t pos = s.size();
  size_t lines = 0;
  while (pos > 0 && lines <= max_lines) {
    pos = s.rfind('\n', pos - 1);
    if (pos == std::string::npos) return s;
    ++lines;
  }
  return s.substr(pos + 1);
}
}  // namespace

std::string describe_failure(const Command& cmd, const CommandResult& r) {
  std::ostringstream o;
  o << "command: " << quote_line(cmd.argv);
  if (!cmd.stdin_data.empty()) o << " <<'EOF' (" << cmd.stdin_data.size() << " bytes on stdin)";
  o << '\n';
  if (r.not_found) o << "  not found: " << (cmd.argv.empty() ? "" : cmd.argv[0]) << '\n';
  else if (r.timed_out) o << "  killed after " << format_duration(cmd.timeout) << '\n';
  else o << "  exit status " << r.exit_code << '\n';
  auto add = [&](const char* name, const std::string& s) {
    if (s.empty()) return;
    std::istringstream in(tail(s, 12));
    std::string l;
    while (std::getline(in, l)) o << "  " << name << ": " << l << '\n';
  };
  add("stderr", r.err);
  add("stdout", r.out);
  std::string s = o.str();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

CommandResult ProcessRunner::run(const Command& cmd) {
  CommandResult r;
  auto t0 = std::chrono::steady_clock::now();
  if (cmd.argv.empty()) {
    r.not_found = true;
    return r;
  }
  boost::filesystem::path exe = cmd.argv[0];
  if (cmd.argv[0].find('/') == std::string::npos) exe = bp::search_path(cmd.argv[0]);
  if (exe.empty() || !boost::filesystem::exists(exe)) {
    r.not_found = true;
    r.err = cmd.argv[0] + ": command not found";
    return r;
  }
  std::vector<std::string> args(cmd.argv.begin() + 1, cmd.argv.end());
  log::debug("run: " + quote_line(cmd.argv));
  {
    std::lock_guard lock(mu_);
    ++spawned_;
  }
  boost::asio::io_context ios;
  std::future<std::string> out, err;
  auto env = boost::this_process::environment();
  bp::environment child_env = env;
  for (const auto& [k, v] : cmd.env) child_env[k] = v;
  try {
    if (cmd.passthrough) {
      bp::child c(exe, bp::args(args), bp::std_in < bp::null, child_env);
      if (!c.wait_for(cmd.timeout)) {
        std::error_code ec;
        c.terminate(ec);
        r.timed_out = true;
      }
      r.exit_code = r.timed_out ? -1 : c.exit_code();
      r.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
      return r;
    }
    bp::child c(exe, bp::args(args), bp::std_in < boost::asio::buffer(cmd.stdin_data),
                bp::std_out > out, bp::std_err > err, child_env, ios);
    ios.run_for(cmd.timeout);
    if (!ios.stopped()) {
      // Still running at the deadline: kill it and drain what it wrote.
      std::error_code ec;
      c.terminate(ec);
      r.timed_out = true;
      ios.restart();
      ios.run_for(std::chrono::seconds(2));
    }
    c.wait();
    r.exit_code = r.timed_out ? -1 : c.exit_code();
    r.out = out.valid() && out.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? out.get() : "";
    r.err = err.valid() && err.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? err.get() : "";
  } catch (const std::exception& e) {
    r.exit_code = -1;
    r.err = std::string("could not run: ") + e.what();
  }
  r.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  log::debug("  -> exit " + std::to_string(r.exit_code) + " in " + format_duration(r.elapsed));
  return r;
}

int ProcessRunner::spawned() const {
  std::lock_guard lock(mu_);
  return spawned_;
}

namespace {
std::string explain_line(const Command& cmd) {
  std::string line = "$ " + quote_line(cmd.argv);
  if (!cmd.stdin_data.empty()) line += " <<'EOF'\n" + cmd.stdin_data + (cmd.stdin_data.back() == '\n' ? "" : "\n") + "EOF";
  return line;
}
}  // namespace

CommandResult ExplainingRunner::run(const Command& cmd) {
  sink_(explain_line(cmd));
  return inner_.run(cmd);
}

void ExplainingRunner::announce(const Command& cmd) {
  // Same line as for a command that runs: what labctl sends is exactly what it would fetch.
  sink_(explain_line(cmd));
  inner_.announce(cmd);
}

void RecordingRunner::on(std::string contains, CommandResult answer) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(contains), {std::move(answer)}});
}

void RecordingRunner::on_sequence(std::string contains, std::vector<CommandResult> answers) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(contains), {answers.begin(), answers.end()}});
}

CommandResult RecordingRunner::run(const Command& cmd) {
  std::lock_guard lock(mu_);
  seen_.push_back(cmd);
  std::string line = quote_line(cmd.argv);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    auto& rule = *it;
    if (line.find(rule.contains) == std::string::npos || rule.answers.empty()) continue;
    CommandResult r = rule.answers.front();
    if (rule.answers.size() > 1) rule.answers.pop_front();
    return r;
  }
  return default_;
}

int RecordingRunner::spawned() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(seen_.size());
}

void RecordingRunner::announce(const Command& cmd) {
  std::lock_guard lock(mu_);
  announced_.push_back(quote_line(cmd.argv));
}

std::vector<std::string> RecordingRunner::announced() const {
  std::lock_guard lock(mu_);
  return announced_;
}

std::vector<Command> RecordingRunner::commands() const {
  std::lock_guard lock(mu_);
  return seen_;
}

std::vector<std::string> RecordingRunner::lines() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> v;
  for (const auto& c : seen_) v.push_back(quote_line(c.argv));
  return v;
}

CommandResult RecordingRunner::ok(std::string out, std::string err) {
  CommandResult r;
  r.exit_code = 0;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

CommandResult RecordingRunner::fail(int code, std::string err, std::string out) {
  CommandResult r;
  r.exit_code = code;
  r.err = std::move(err);
  r.out = std::move(out);
  return r;
}

}  // namespace labctl
