// labctl run: load every named episode strictly first, check the cluster answers, then run them
// one after another and write the console, JSON and JUnit reports over one result tree.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "core/log.h"
#include "core/interrupt.h"
#include "runner/engine.h"
#include "steps/common.h"
#include "steps/registry.h"

namespace labctl::app {

namespace {
// Why `path` cannot be written as a report file, or "" if it can (checked without creating it).
std::string unwritable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (fs::is_directory(p, ec)) return "is a directory";
  if (fs::exists(p, ec)) return ::access(p.c_str(), W_OK) == 0 ? "" : "not writable";
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(dir, ec)) return "directory " + dir.string() + " does not exist";
  if (::access(dir.c_str(), W_OK) != 0) return "directory " + dir.string() + " is not writable";
  return {};
}

struct RunFlags {
  std::vector<std::string> episodes;
  bool keep = false;
  std::string output = "text";
  std::string junit;
  bool explain = false;
  double pace = 0;
};
}  // namespace

void add_run(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("run", "Run episodes on the cluster and check every expectation");
  auto fp = std::make_shared<RunFlags>();
  auto& flags = *fp;
  sub->add_option("episodes", flags.episodes, "Episode ids (episode-5 or 5), scenario files, or all")->required();
  sub->add_flag("--keep", flags.keep, "Leave what the run created (for the presenter); prints how many objects and the kubectl delete namespace command that removes them");
  sub->add_option("--output", flags.output, "Report on stdout: text or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--junit", flags.junit, "Also write a JUnit XML report to FILE");
  sub->add_flag("--explain", flags.explain, "Print every cluster command as a pasteable line before running it");
  sub->add_option("--pace", flags.pace, "Presenter pause in SECONDS before each step")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            char* end = nullptr;
            errno = 0;
            double d = std::strtod(v.c_str(), &end);
            if (v.empty() || end == v.c_str() || *end != '\0' || errno != 0 || d != d)
              return "--pace " + v + " is not a number (seconds, e.g. 2 or 0.5)";
            if (d < 0 || d > 600) return "--pace " + v + " is out of range: 0 to 600 seconds";
            return {};
          },
          "SECONDS in [0, 600]"));
  sub->callback([&st, fp] {
    st.action = [fp](State& s) {
      auto& f = *fp;
      // 1. Every scenario loads, or nothing runs.
      std::vector<std::unique_ptr<scenario::Scenario>> scenarios;
      std::string problems;
      for (const auto& p : resolve_episodes(s, f.episodes)) {
        auto r = scenario::load_file(p, steps::registry(), lab_dir(s));
        if (r.ok()) scenarios.push_back(std::move(r.scenario));
        else
          for (const auto& pr : r.problems) problems += "\n" + scenario::render(pr);
      }
      if (!problems.empty()) throw UserError(ExitCode::invalid, "invalid scenario" + problems, "labctl validate");
      // The report can be written, or nothing runs: a run is not thrown away at its end.
      if (!f.junit.empty()) {
        if (auto why = unwritable(f.junit); !why.empty())
          throw UserError(ExitCode::usage, "--junit " + f.junit + ": " + why, "give a file in an existing, writable directory");
      }

      // 2. Narration on stdout, or on stderr when stdout carries JSON.
      std::ostream& narration = f.output == "json" ? *s.err : *s.out;
      auto style = report::detect_console_style(f.output == "json" ? 2 : 1);
      if (s.out != &std::cout) style = {};  // in-process callers (tests) get plain text
      report::ConsoleWriter console(narration, style);

      auto& base = kubectl(s);
      std::unique_ptr<ExplainingRunner> explaining;
      std::unique_ptr<cluster::Kubectl> explained;
      cluster::Kubectl* kube = &base;
      if (f.explain) {
        explaining = std::make_unique<ExplainingRunner>(base.runner(), [&console](const std::string& l) { console.note(l); });
        explained = std::make_unique<cluster::Kubectl>(*explaining, base.binary(), base.kubeconfig());
        kube = explained.get();
      }

      // 3. The cluster answers, or this is an environment problem, not a failed expectation.
      // Asked over the API client first: if that works, so will its polls. If it does not,
      // kubectl is the judge: the client is dropped (never a poll failing where kubectl would
      // succeed) and kubectl's answer decides whether the cluster is up.
      bool ready = false;
      std::string api_failed;
      if (base.api()) {
        auto probe = base.get_raw("/readyz", std::chrono::seconds(15));
        ready = probe.result.ok();
        if (!ready) {
          api_failed = steps::first_line(probe.result.err);
          base.use_api(nullptr);
        }
      }
      if (!ready) {
        auto r = base.run({"get", "--raw", "/readyz"}, std::chrono::seconds(15));
        if (!r.ok())
          throw UserError(ExitCode::environment,
                          "the cluster does not answer\n" + describe_failure(base.command({"get", "--raw", "/readyz"}), r),
                          "labctl status; labctl up; labctl doctor");
        if (!api_failed.empty()) log::warn("API client failed where kubectl works (" + api_failed + "); polls run kubectl");
      }
      if (explained) explained->use_api(base.api());

      runner::EngineOptions opt;
      opt.lab_dir = lab_dir(s);
      opt.invocation_id = runner::new_invocation_id();
      opt.keep = f.keep;
      opt.pace = Millis(static_cast<long long>(f.pace * 1000));
      runner::Engine engine(*kube, opt, &console);

      report::RunResult run;
      run.id = opt.invocation_id;
      run.started = runner::now_rfc3339();
      auto t0 = std::chrono::steady_clock::now();
      for (const auto& sc : scenarios) {
        if (interrupt::requested()) break;
        run.episodes.push_back(engine.run(*sc));
      }
      run.interrupted = interrupt::requested();
      run.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
      console.summary(run);
      if (f.output == "json") report::write_json(*s.out, run);
      if (!f.junit.empty()) {
        std::ofstream j(f.junit);
        if (!j) throw UserError(ExitCode::environment, "cannot write " + f.junit);
        report::write_junit(j, run);
      }
      if (run.interrupted) return ExitCode::interrupted;
      for (const auto& e : run.episodes)
        if (e.environment) return ExitCode::environment;  // e.g. its namespace is another run's
      return run.status() == report::Status::passed ? ExitCode::ok : ExitCode::failed;
    };
  });
}

}  // namespace labctl::app
