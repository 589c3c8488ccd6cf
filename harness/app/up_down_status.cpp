// labctl up / down / status: the provider's lifecycle, one ✓/✗ line per phase.
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "core/log.h"

namespace labctl::app {
namespace {

// Provider phases print one ✓/✗ line each on stdout.
void attach_progress(State& st) {
  provider(st);
  st.provider_env->progress = [&st](bool ok, const std::string& line) { *st.out << "  " << (ok ? "✓ " : "✗ ") << line << '\n' << std::flush; };
}

}  // namespace

void add_up(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("up", "Create or start the lab cluster (provider: kind, host or existing) and its addons");
  sub->add_option("--provider", st.provider_flag, "kind, host or existing (default: detected)")
      ->check(CLI::IsMember({"kind", "host", "existing"}));
  sub->callback([&st] {
    st.action = [](State& s) {
      attach_progress(s);
      auto& p = provider(s);
      *s.out << "Bringing the lab up with the " << p.name() << " provider\n";
      auto& k = kubectl(s);
      auto r = p.up(k);
      if (!r) throw UserError(ExitCode::environment, r.error());
      std::error_code ec;
      std::filesystem::create_directories(s.provider_env->state, ec);
      std::ofstream(s.provider_env->state / "provider") << p.name() << '\n';
      *s.out << "✓ lab is up" << (p.kubeconfig().empty() ? "" : "; export KUBECONFIG=" + p.kubeconfig()) << '\n';
      return ExitCode::ok;
    };
  });
}

void add_down(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("down", "Stop and delete the lab cluster");
  sub->add_option("--provider", st.provider_flag, "kind, host or existing")->check(CLI::IsMember({"kind", "host", "existing"}));
  sub->callback([&st] {
    st.action = [](State& s) {
      attach_progress(s);
      auto r = provider(s).down();
      if (!r) throw UserError(ExitCode::environment, r.error());
      std::error_code ec;
      std::filesystem::remove(s.provider_env->state / "provider", ec);
      *s.out << "✓ lab is down\n";
      return ExitCode::ok;
    };
  });
}

void add_status(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("status", "Say whether the lab cluster runs");
  sub->callback([&st] {
    st.action = [](State& s) {
      auto& p = provider(s);
      auto r = p.status(kubectl(s));
      if (!r) throw UserError(ExitCode::environment, r.error());
      *s.out << p.name() << ": " << *r << '\n';
      return ExitCode::ok;
    };
  });
}

}  // namespace labctl::app
