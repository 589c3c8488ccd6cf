// Strict reading of one YAML mapping: every key read is remembered; finish() reports the keys
// nobody asked for (with a "did you mean" hint) and the required keys that are missing.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/duration.h"
#include "scenario/diagnostics.h"

namespace labctl::scenario {

class Fields {
 public:
  // `what` names the mapping in messages ("step", "egress"). A non-map node is reported once.
  Fields(const YAML::Node& node, std::string what, Diagnostics& diag);
  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }

  bool has(const std::string& key);
  YAML::Node raw(const std::string& key);  // marks the key as known
  std::optional<std::string> str(const std::string& key, bool required = false);
  std::string str_or(const std::string& key, std::string fallback);
  std::optional<std::string> one_of(const std::string& key, const std::vector<std::string>& values, bool required = false);
  std::optional<Millis> duration(const std::string& key, bool required = false);
  std::optional<long long> integer(const std::string& key, long long min, long long max, bool required = false);
  std::optional<bool> boolean(const std::string& key, bool required = false);
  std::vector<std::string> strings(const std::string& key, bool required = false);  // scalar or list
  // Reports unknown keys. Call once, after every read.
  void finish();

  Diagnostics& diag() { return diag_; }

 private:
  YAML::Node scalar(const std::string& key, bool required);
  YAML::Node node_;
  std::string what_;
  Diagnostics& diag_;
  std::set<std::string> known_;
  bool valid_ = true;
};

}  // namespace labctl::scenario
