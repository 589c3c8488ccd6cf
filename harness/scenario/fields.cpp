#include "scenario/fields.h"

#include <limits>

namespace labctl::scenario {

Fields::Fields(const YAML::Node& node, std::string what, Diagnostics& diag)
    : node_(node), what_(std::move(what)), diag_(diag) {
  if (!node_.IsMap()) {
    valid_ = false;
    diag_.add(node_, what_ + ": expected a mapping (key: value)");
  }
}

bool Fields::has(const std::string& key) {
  known_.insert(key);
  return valid_ && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node Fields::raw(const std::string& key) {
  known_.insert(key);
  if (!valid_) return YAML::Node();
  return node_[key];
}

YAML::Node Fields::scalar(const std::string& key, bool required) {
  known_.insert(key);
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) diag_.add(node_, what_ + ": missing required key '" + key + "'");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  if (!n.IsScalar()) {
    diag_.add(n, what_ + "." + key + ": expected a single value");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return n;
}

std::optional<std::string> Fields::str(const std::string& key, bool required) {
  YAML::Node n = scalar(key, required);
  if (!n.IsDefined()) return std::nullopt;
  return n.Scalar();
}

std::string Fields::str_or(const std::string& key, std::string fallback) {
  auto v = str(key);
  return v ? *v : std::move(fallback);
}

std::optional<std::string> Fields::one_of(const std::string& key, const std::vector<std::string>& values, bool required) {
  auto v = str(key, required);
  if (!v) return std::nullopt;
  for (const auto& x : values)
    if (x == *v) return v;
  std::string list;
  for (const auto& x : values) list += (list.empty() ? "" : ", ") + x;
  std::string near = closest(*v, values);
  diag_.add(node_[key], what_ + "." + key + ": '" + *v + "' is not one of: " + list,
            near.empty() ? "" : "did you mean '" + near + "'?");
  return std::nullopt;
}

std::optional<Millis> Fields::duration(const std::string& key, bool required) {
  YAML::Node n = scalar(key, required);
  if (!n.IsDefined()) return std::nullopt;
  auto d = parse_duration(n.Scalar());
  if (!d) diag_.add(n, what_ + "." + key + ": '" + n.Scalar() + "' is not a duration", "write e.g. 500ms, 3s, 2m or 1m30s");
  return d;
}

std::optional<long long> Fields::integer(const std::string& key, long long min, long long max, bool required) {
  YAML::Node n = scalar(key, required);
  if (!n.IsDefined()) return std::nullopt;
  try {
    size_t used = 0;
    long long v = std::stoll(n.Scalar(), &used);
    if (used != n.Scalar().size()) throw std::invalid_argument("trailing");
    if (v < min || v > max) {
      diag_.add(n, what_ + "." + key + ": " + n.Scalar() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return std::nullopt;
    }
    return v;
  } catch (const std::exception&) {
    diag_.add(n, what_ + "." + key + ": '" + n.Scalar() + "' is not an integer");
    return std::nullopt;
  }
}

std::optional<bool> Fields::boolean(const std::string& key, bool required) {
  YAML::Node n = scalar(key, required);
  if (!n.IsDefined()) return std::nullopt;
  const auto& s = n.Scalar();
  if (s == "true") return true;
  if (s == "false") return false;
  diag_.add(n, what_ + "." + key + ": '" + s + "' is not a boolean", "write true or false");
  return std::nullopt;
}

std::vector<std::string> Fields::strings(const std::string& key, bool required) {
  known_.insert(key);
  std::vector<std::string> out;
  if (!valid_) return out;
  YAML::Node n = node_[key];
  if (!n.IsDefined() || n.IsNull()) {
    if (required) diag_.add(node_, what_ + ": missing required key '" + key + "'");
    return out;
  }
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) {
    diag_.add(n, what_ + "." + key + ": expected a list of strings");
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) diag_.add(item, what_ + "." + key + ": expected a string");
    else out.push_back(item.Scalar());
  }
  return out;
}

void Fields::finish() {
  if (!valid_) return;
  std::vector<std::string> candidates(known_.begin(), known_.end());
  for (const auto& kv : node_) {
    std::string k = kv.first.Scalar();
    if (known_.count(k)) continue;
    std::string near = closest(k, candidates);
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
    diag_.add(kv.first, what_ + ": unknown key '" + k + "'",
              near.empty() ? "known keys: " + list : "did you mean '" + near + "'?");
  }
}

}  // namespace labctl::scenario
