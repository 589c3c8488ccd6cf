// kubectl access: one binary, one kubeconfig, every call through the CommandRunner; plus, when
// the kubeconfig allows it, the API client (cluster/api.h) for `get --raw` reads that poll.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/api_response.h"
#include "core/command.h"

namespace labctl::cluster {

class ApiClient;  // cluster/api.h

// A `kubectl get --raw PATH`, answered by kubectl or by the API client. `command` is the
// kubectl line either way (pasteable, and what failure details show); `result` reads like
// kubectl's (body on stdout, "Error from server (...)" on stderr); `api` is set when the API
// client answered, so reports can say which request was sent.
struct RawGet {
  Command command;
  CommandResult result;
  std::optional<ApiResponse> api;
};

class Kubectl {
 public:
  Kubectl(CommandRunner& runner, std::string binary, std::string kubeconfig)
      : runner_(runner), binary_(std::move(binary)), kubeconfig_(std::move(kubeconfig)) {}
  Command command(std::vector<std::string> args, Millis timeout = std::chrono::seconds(30), std::string stdin_data = {}) const;
  CommandResult run(std::vector<std::string> args, Millis timeout = std::chrono::seconds(30), std::string stdin_data = {}) const;
  // GET `path` from the API server: through the API client when one is attached (announced to
  // the runner as the equivalent kubectl line, for --explain), else by running kubectl.
  RawGet get_raw(const std::string& path, Millis timeout = std::chrono::seconds(30)) const;
  CommandRunner& runner() const { return runner_; }
  const std::string& binary() const { return binary_; }
  const std::string& kubeconfig() const { return kubeconfig_; }
  void use_api(std::shared_ptr<ApiClient> api) { api_ = std::move(api); }
  const std::shared_ptr<ApiClient>& api() const { return api_; }

 private:
  CommandRunner& runner_;
  std::string binary_;
  std::string kubeconfig_;
  std::shared_ptr<ApiClient> api_;  // shared: the --explain twin of this Kubectl uses the same connection
};

}  // namespace labctl::cluster
