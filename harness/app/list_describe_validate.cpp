// labctl list / describe / validate: reading scenarios without touching a cluster.
#include <iostream>

#include "app/app.h"
#include "steps/registry.h"

namespace labctl::app {

void add_list(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("list", "List the episodes");
  sub->callback([&st] {
    st.action = [](State& s) {
      bool all_ok = true;
      for (const auto& f : scenario::episode_files(lab_dir(s))) {
        auto r = scenario::load_file(f, steps::registry());
        if (r.ok()) *s.out << r.scenario->id << "\t" << r.scenario->title << '\n';
        else {
          all_ok = false;
          *s.out << f.stem().string() << "\t(invalid: labctl validate " << f.string() << ")\n";
        }
      }
      return all_ok ? ExitCode::ok : ExitCode::invalid;
    };
  });
}

void add_describe(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("describe", "Show an episode's story and steps, as the trainer reads them");
  auto episode = std::make_shared<std::string>();
  sub->add_option("episode", *episode, "Episode id (episode-5 or 5) or scenario file")->required();
  sub->callback([&st, episode] {
    st.action = [episode](State& s) {
      auto sc = load_episode(s, *episode);
      auto& o = *s.out;
      o << sc->id << ": " << sc->title << "\n\n" << sc->story;
      if (!sc->story.empty() && sc->story.back() != '\n') o << '\n';
      o << "\nNamespaces: ";
      for (size_t i = 0; i < sc->namespaces.size(); ++i) o << (i ? ", " : "") << sc->namespaces[i];
      o << "\n";
      auto group = [&](const char* title, const std::vector<scenario::Step>& steps) {
        if (steps.empty()) return;
        o << '\n' << title << ":\n";
        int n = 0;
        for (const auto& step : steps) {
          o << "  " << ++n << ". " << step.op->summary();
          if (!step.op->expected().empty()) o << "  → expect " << step.op->expected();
          o << '\n';
          if (!step.say.empty()) o << "     " << step.say << '\n';
        }
      };
      group("Setup", sc->setup);
      group("Steps", sc->steps);
      group("Cleanup", sc->cleanup);
      if (!sc->takeaway.empty()) o << "\nTakeaway: " << sc->takeaway << '\n';
      return ExitCode::ok;
    };
  });
}

void add_validate(CLI::App& app, State& st) {
  auto* sub = app.add_subcommand("validate", "Check scenario files strictly (all problems, file:line:col, hints)");
  auto files = std::make_shared<std::vector<std::string>>();
  sub->add_option("files", *files, "Scenario files (default: every scenario in the lab)");
  sub->callback([&st, files] {
    st.action = [files](State& s) {
      std::vector<std::filesystem::path> paths(files->begin(), files->end());
      if (paths.empty()) {
        paths = scenario::episode_files(lab_dir(s));
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(lab_dir(s) / "scenarios" / "doctor", ec))
          if (e.path().extension() == ".yaml") paths.push_back(e.path());
      }
      // Files the steps read are checked under the lab directory, if there is one.
      std::filesystem::path lab;
      try {
        lab = lab_dir(s);
      } catch (const UserError&) {
      }
      int bad = 0;
      for (const auto& p : paths) {
        auto r = scenario::load_file(p, steps::registry(), lab);
        if (r.ok()) {
          *s.out << "✓ " << p.string() << " (" << r.scenario->id << ", "
                 << r.scenario->setup.size() + r.scenario->steps.size() + r.scenario->cleanup.size() << " steps)\n";
          continue;
        }
        ++bad;
        *s.out << "✗ " << p.string() << ": " << r.problems.size() << " problem(s)\n";
        for (const auto& pr : r.problems) *s.out << scenario::render(pr) << '\n';
      }
      return bad ? ExitCode::invalid : ExitCode::ok;
    };
  });
}

}  // namespace labctl::app
