#include "runner/engine.h"

#include <ctime>
#include <random>
#include <sstream>

#include "cluster/api.h"
#include "core/interrupt.h"
#include "runner/cleanup.h"
#include "steps/common.h"

namespace labctl::runner {
namespace {

using report::Status;
using report::StepResult;
using scenario::Verdict;
using SteadyClock = std::chrono::steady_clock;

Millis since(SteadyClock::time_point t0) {
  return std::chrono::duration_cast<Millis>(SteadyClock::now() - t0);
}

class EpisodeRun {
 public:
  EpisodeRun(cluster::Kubectl& kube, const EngineOptions& opt, report::Listener* listener, const scenario::Scenario& sc)
      : kube_(kube), opt_(opt), listener_(listener), sc_(sc),
        ctx_{kube, cleaner_, opt.lab_dir, opt.invocation_id + "-" + sc.id, sc.id, opt.invocation_id, sc.default_namespace(), {}, {}, {}, {}} {
    ctx_.vars = {{"RUN_ID", ctx_.run_id},
                 {"INVOCATION_ID", opt.invocation_id},
                 {"EPISODE", sc.id},
                 {"NAMESPACE", ctx_.default_namespace}};
  }

  report::EpisodeResult run() {
    auto t0 = SteadyClock::now();
    const int spawned0 = kube_.runner().spawned();
    const int requests0 = kube_.api() ? kube_.api()->requests() : 0;
    report::EpisodeResult ep;
    ep.id = sc_.id;
    ep.title = sc_.title;
    ep.file = sc_.file;
    ep.run_id = ctx_.run_id;
    if (listener_) listener_->episode_started(ep, sc_.story);

    // Oldest on the stack, so it runs last: whatever still carries this run's labels.
    cleaner_.push({"sweep objects labelled " + std::string(kRunLabel) + "=" + opt_.invocation_id,
                   kube_.command({"delete", "networkpolicies,deployments,services,pods,configmaps,serviceaccounts,roles,rolebindings",
                                  "-A", "-l", std::string(kRunLabel) + "=" + opt_.invocation_id + "," + kEpisodeLabel + "=" + sc_.id,
                                  "--ignore-not-found", "--wait=false"},
                                 std::chrono::seconds(60))});

    bool stop = false;
    for (const auto& ns : sc_.namespaces) {
      if (stop) break;
      auto s = ensure_namespace(ns);
      if (s.status != Status::passed) {
        stop = true;
        ep.status = Status::error;
        ep.message = "namespace " + ns + ": " + s.observed;
        ep.environment = environment_;
      }
      ep.steps.push_back(std::move(s));
    }
    auto run_group = [&](const std::vector<scenario::Step>& steps, const std::string& group, bool always) {
      for (const auto& step : steps) {
        if ((stop && !always) || interrupt::requested()) {
          ep.steps.push_back(skipped(step, group));
          continue;
        }
        if (group == "steps" && opt_.pace.count() > 0 && !interrupt::sleep_for(opt_.pace)) {
          ep.steps.push_back(skipped(step, group));
          continue;
        }
        auto s = run_step(step, group);
        if (s.status != Status::passed && ep.message.empty()) {
          ep.message = step.name + ": " + (s.expected.empty() ? "" : "expected " + s.expected + ", ") + "observed " + s.observed;
          if (!stop) ep.status = (group == "setup" || !step.op->is_expectation()) ? Status::error : Status::failed;
          stop = true;
        }
        ep.steps.push_back(std::move(s));
      }
    };
    run_group(sc_.setup, "setup", false);
    run_group(sc_.steps, "steps", false);
    run_group(sc_.cleanup, "cleanup", true);
    if (interrupt::requested()) {
      ep.status = Status::error;  // not a verdict on any expectation
      ep.message = ep.message.empty() ? "interrupted" : "interrupted at " + ep.message;
    }

    auto tc = SteadyClock::now();
    if (opt_.keep) {
      // What is left is what the run created: its namespaces and every object applied. The
      // removal commands are the undos, newest first; the label sweep only when an object lives
      // outside a namespace this run created (deleting the namespace removes all inside it).
      auto left = cleaner_.release();
      size_t outside = 0;
      for (const auto& o : ctx_.created) {
        auto ns = o.substr(o.rfind(" -n ") + 4);
        if (!ctx_.created_namespaces.count(ns)) ++outside;
      }
      const size_t count = ctx_.created_namespaces.size() + ctx_.created.size();
      StepResult s;
      s.group = "teardown";
      s.name = "keep";
      s.kind = "keep";
      s.status = Status::skipped;
      s.summary = "--keep: left " + std::to_string(count) + (count == 1 ? " object" : " objects") + " for the presenter";
      std::string what;
      for (const auto& ns : ctx_.created_namespaces) what += (what.empty() ? "" : ", ") + std::string("namespace/") + ns;
      for (const auto& o : ctx_.created) what += (what.empty() ? "" : ", ") + o;
      if (!what.empty()) s.summary += " (" + what + ")";
      std::string remove;
      for (auto it = left.rbegin(); it != left.rend(); ++it) {
        const bool sweep = it->description.rfind("sweep ", 0) == 0;
        if (sweep && outside == 0) continue;
        s.detail += "$ " + quote_line(it->command.argv) + "\n";
        remove += (remove.empty() ? "" : "; ") + quote_line(it->command.argv);
      }
      s.observed = remove.empty() ? "nothing to remove" : "remove with: " + remove;
      if (listener_) listener_->step_finished(s);
      ep.steps.push_back(std::move(s));
    } else {
      interrupt::set_cleaning(true);
      for (auto& s : cleaner_.unwind(kube_.runner(), listener_)) {
        if (s.status != Status::passed) {
          if (ep.status == Status::passed || ep.status == Status::skipped) ep.status = Status::failed;
          if (ep.message.empty()) ep.message = "cleanup failed: " + s.name + ": " + s.observed;
        }
        ep.steps.push_back(std::move(s));
      }
      interrupt::set_cleaning(false);
    }
    ep.cleanup_duration = since(tc);
    if (ep.status == Status::skipped) ep.status = Status::passed;
    ep.duration = since(t0);
    ep.processes = kube_.runner().spawned() - spawned0;
    ep.api_requests = kube_.api() ? kube_.api()->requests() - requests0 : 0;
    if (listener_) listener_->episode_finished(ep);
    return ep;
  }

 private:
  StepResult skipped(const scenario::Step& step, const std::string& group) {
    StepResult s = describe(step, group);
    s.status = Status::skipped;
    s.observed = interrupt::requested() ? "interrupted" : "not run (an earlier step failed)";
    if (listener_) listener_->step_finished(s);
    return s;
  }

  static StepResult describe(const scenario::Step& step, const std::string& group) {
    StepResult s;
    s.group = group;
    s.name = step.name;
    s.kind = step.op->kind();
    s.say = step.say;
    s.summary = step.op->summary();
    s.expected = step.op->expected();
    return s;
  }

  StepResult run_step(const scenario::Step& step, const std::string& group) {
    StepResult s = describe(step, group);
    if (listener_) listener_->step_started(s);
    auto t0 = SteadyClock::now();
    const auto deadline = t0 + step.deadline();
    scenario::Observation obs;
    for (;;) {
      ++s.attempts;
      obs = step.op->attempt(ctx_);
      if (obs.verdict != Verdict::pending) break;
      if (!step.op->is_expectation() || SteadyClock::now() + opt_.poll_interval >= deadline || interrupt::requested()) break;
      if (listener_) listener_->step_progress(s, obs.observed);
      if (!interrupt::sleep_for(opt_.poll_interval)) break;
    }
    s.duration = since(t0);
    s.observed = obs.observed;
    s.detail = obs.detail;
    if (obs.verdict == Verdict::pass) {
      s.status = Status::passed;
      ctx_.step_done[step.name] = std::chrono::system_clock::now();
    } else {
      s.status = step.op->is_expectation() ? Status::failed : Status::error;
      if (obs.verdict == Verdict::pending)
        s.observed = (interrupt::requested() ? "interrupted; last observed: " : "gave up after " + format_duration(s.duration) + "; last observed: ") + obs.observed;
    }
    if (listener_) listener_->step_finished(s);
    return s;
  }

  // The namespace is the episode's lock: `kubectl create` either makes it (labelled with this
  // run) or fails with AlreadyExists, atomically. A namespace that exists already belongs to
  // someone else (a --keep run, a run still going): never reuse it, never touch it. Only one
  // that is Terminating is waited out, then created again.
  StepResult ensure_namespace(const std::string& ns) {
    StepResult s;
    s.group = "setup";
    s.name = "namespace " + ns;
    s.kind = "namespace";
    s.summary = "namespace " + ns;
    if (listener_) listener_->step_started(s);
    auto t0 = SteadyClock::now();
    s.status = Status::error;
    std::string doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    " + kRunLabel + ": " +
                      opt_.invocation_id + "\n    " + kEpisodeLabel + ": " + sc_.id + "\n";
    for (;;) {
      ++s.attempts;
      auto ran = steps::kubectl(ctx_, {"create", "-f", "-"}, std::chrono::seconds(30), doc);
      if (ran.result.ok()) {
        cleaner_.push({"delete namespace " + ns,
                       kube_.command({"delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=90s"},
                                     std::chrono::seconds(100))});
        ctx_.created_namespaces.insert(ns);
        s.status = Status::passed;
        s.observed = "created";
        break;
      }
      const std::string& err = ran.result.err;
      if (err.find("AlreadyExists") == std::string::npos && err.find("already exists") == std::string::npos) {
        s.observed = "cannot create: " + steps::first_line(err);
        s.detail = describe_failure(ran.command, ran.result);
        break;
      }
      auto got = steps::kubectl(ctx_, {"get", "namespace", ns, "--ignore-not-found", "-o",
                                       "jsonpath={.status.phase} {.metadata.labels.labctl\\.dev/run} {.metadata.labels.labctl\\.dev/episode}"});
      std::istringstream fields(got.result.ok() ? got.result.out : std::string());
      std::string phase, owner, episode;
      fields >> phase >> owner >> episode;
      if (got.result.ok() && (phase.empty() || phase == "Terminating")) {  // going, or gone since
        if (since(t0) > opt_.namespace_gone || !interrupt::sleep_for(Millis(1000))) {
          s.observed = "still Terminating after " + format_duration(since(t0));
          break;
        }
        continue;
      }
      const std::string remove = quote_line(kube_.command({"delete", "namespace", ns}).argv);
      environment_ = true;
      s.observed = "exists already, " +
                   (owner.empty() ? std::string("not created by labctl (no ") + kRunLabel + " label)"
                                  : "left by run " + owner + (episode.empty() ? "" : " (" + episode + ")") +
                                        ": kept with --keep, or still running") +
                   "; not touched. Remove it with: " + remove;
      s.detail = "$ " + remove + "\n";
      break;
    }
    s.duration = since(t0);
    if (listener_) listener_->step_finished(s);
    return s;
  }

  cluster::Kubectl& kube_;
  const EngineOptions& opt_;
  report::Listener* listener_;
  const scenario::Scenario& sc_;
  Cleaner cleaner_;
  Context ctx_;
  bool environment_ = false;
};

}  // namespace

report::EpisodeResult Engine::run(const scenario::Scenario& scenario) {
  EpisodeRun run(kube_, opt_, listener_, scenario);
  return run.run();
}

std::string new_invocation_id() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> d(0, 15);
  std::string id = "r";  // a leading letter keeps it a valid label value and DNS label
  for (int i = 0; i < 5; ++i) id += "0123456789abcdef"[d(rd)];
  return id;
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace labctl::runner
