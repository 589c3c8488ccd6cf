// The table of operation kinds (steps/kinds.def) behind the scenario loader's factory.
#pragma once

#include "scenario/model.h"

namespace labctl::steps {

class Registry final : public scenario::OperationFactory {
 public:
  std::vector<std::string> kinds() const override;
  std::unique_ptr<scenario::Operation> parse(const std::string& kind, const YAML::Node& body,
                                             scenario::Diagnostics& diag) const override;
};

const Registry& registry();

}  // namespace labctl::steps
