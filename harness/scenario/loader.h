// Strict scenario loading: header check (apiVersion/kind), unknown keys rejected, every problem
// collected with file:line:col, then returned together.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "scenario/model.h"

namespace labctl::scenario {

struct LoadResult {
  std::unique_ptr<Scenario> scenario;  // null when problems is non-empty
  std::vector<Problem> problems;
  bool ok() const { return scenario && problems.empty(); }
};

LoadResult load_file(const std::filesystem::path& file, const OperationFactory& ops, const std::filesystem::path& lab_dir = {});
// With a lab directory, the files steps read (apply/admission `file:`) must exist under it.
LoadResult load_string(const std::string& text, const std::string& file_name, const OperationFactory& ops,
                       const std::filesystem::path& lab_dir = {});

// The episode files under <lab>/scenarios, ordered episode-1, episode-2, ..., episode-10.
std::vector<std::filesystem::path> episode_files(const std::filesystem::path& lab_dir);

}  // namespace labctl::scenario
