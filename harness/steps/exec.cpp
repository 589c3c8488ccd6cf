// exec: run argv inside a workload (never a shell string built from input) and require an
// exit code; stdout is shown as the observation.
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Exec final : public scenario::Operation {
 public:
  Target in;
  std::vector<std::string> argv;
  long long exit_code = 0;
  std::string kind() const override { return "exec"; }
  bool is_expectation() const override { return false; }
  std::string summary() const override { return "in " + in.describe() + ": " + quote_line(argv); }
  Observation attempt(Context& ctx) override {
    auto ran = exec_in(ctx, in, argv, std::chrono::seconds(30));
    if (ran.result.exit_code != exit_code)
      return fail_from(ran, "exit " + std::to_string(ran.result.exit_code) + ", wanted " + std::to_string(exit_code));
    return Observation::pass(first_line(ran.result.out));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_exec(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "exec", diag);
  auto op = std::make_unique<Exec>();
  op->in = read_target(f, "in");
  op->argv = f.strings("argv", true);
  op->exit_code = f.integer("exit", 0, 255).value_or(0);
  f.finish();
  return op;
}

}  // namespace labctl::steps
