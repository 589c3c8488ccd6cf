#include "steps/registry.h"

namespace labctl::steps {

#define LABCTL_OPERATION(id, key) \
  std::unique_ptr<scenario::Operation> parse_##id(const YAML::Node& body, scenario::Diagnostics& diag);
#include "steps/kinds.def"
#undef LABCTL_OPERATION

namespace {
using ParseFn = std::unique_ptr<scenario::Operation> (*)(const YAML::Node&, scenario::Diagnostics&);
struct Entry {
  const char* key;
  ParseFn parse;
};
const Entry kEntries[] = {
#define LABCTL_OPERATION(id, key) {key, &parse_##id},
#include "steps/kinds.def"
#undef LABCTL_OPERATION
};
}  // namespace

std::vector<std::string> Registry::kinds() const {
  std::vector<std::string> out;
  for (const auto& e : kEntries) out.emplace_back(e.key);
  return out;
}

std::unique_ptr<scenario::Operation> Registry::parse(const std::string& kind, const YAML::Node& body,
                                                     scenario::Diagnostics& diag) const {
  for (const auto& e : kEntries)
    if (kind == e.key) return e.parse(body, diag);
  diag.add(body, "unknown operation kind '" + kind + "'");
  return nullptr;
}

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace labctl::steps
