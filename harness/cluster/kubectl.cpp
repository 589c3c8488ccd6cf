#include "cluster/kubectl.h"

namespace labctl::cluster {

Command Kubectl::command(std::vector<std::string> args, Millis timeout, std::string stdin_data) const {
  Command c;
  c.argv.push_back(binary_);
  // Explicit rather than via $KUBECONFIG, so --explain lines paste into any shell as-is.
  if (!kubeconfig_.empty()) {
    c.argv.push_back("--kubeconfig");
    c.argv.push_back(kubeconfig_);
  }
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  c.timeout = timeout;
  c.stdin_data = std::move(stdin_data);
  return c;
}

CommandResult Kubectl::run(std::vector<std::string> args, Millis timeout, std::string stdin_data) const {
  return runner_.run(command(std::move(args), timeout, std::move(stdin_data)));
}

}  // namespace labctl::cluster
