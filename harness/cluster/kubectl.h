// kubectl access: one binary, one kubeconfig, every call through the CommandRunner.
#pragma once

#include <string>
#include <vector>

#include "core/command.h"

namespace labctl::cluster {

class Kubectl {
 public:
  Kubectl(CommandRunner& runner, std::string binary, std::string kubeconfig)
      : runner_(runner), binary_(std::move(binary)), kubeconfig_(std::move(kubeconfig)) {}
  Command command(std::vector<std::string> args, Millis timeout = std::chrono::seconds(30), std::string stdin_data = {}) const;
  CommandResult run(std::vector<std::string> args, Millis timeout = std::chrono::seconds(30), std::string stdin_data = {}) const;
  CommandRunner& runner() const { return runner_; }
  const std::string& binary() const { return binary_; }
  const std::string& kubeconfig() const { return kubeconfig_; }

 private:
  CommandRunner& runner_;
  std::string binary_;
  std::string kubeconfig_;
};

}  // namespace labctl::cluster
