#include "cluster/kubectl.h"

#include "cluster/api.h"

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

namespace labctl::cluster {

RawGet Kubectl::get_raw(const std::string& path, Millis timeout) const {
  RawGet g{command({"get", "--raw", path}, timeout), {}, std::nullopt};
  if (!api_) {
    g.result = runner_.run(g.command);
    return g;
  }
  runner_.announce(g.command);
  g.api = api_->get(path, timeout);
  const auto& a = *g.api;
  g.result.elapsed = a.elapsed;
  g.result.timed_out = a.timed_out;
  if (a.ok()) {
    g.result.exit_code = 0;
    g.result.out = a.body;
  } else {
    g.result.exit_code = a.timed_out ? -1 : 1;  // kubectl exits 1 on an HTTP error
    g.result.err = kubectl_style_error(a);
  }
  return g;
}

}  // namespace labctl::cluster
