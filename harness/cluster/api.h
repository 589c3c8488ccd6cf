// Direct access to the API server over HTTPS (libcurl), for the calls labctl repeats every
// second (metrics, pool stats through the service proxy): one reused connection instead of one
// kubectl process per poll. Built from the same kubeconfig kubectl uses; whatever this client
// cannot reproduce exactly (exec/auth-provider plugins, proxies, impersonation, ...) is found
// when the kubeconfig is read and reported as a reason, so callers keep using kubectl.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cluster/api_response.h"
#include "core/duration.h"
#include "core/result.h"

namespace labctl::cluster {

// What the current context of a kubeconfig says about reaching the API server. Relative file
// paths are already resolved against the kubeconfig's directory, as kubectl does.
struct ApiConfig {
  std::string source;  // the kubeconfig file, for messages
  std::string server;  // https://host:port (no trailing slash)
  std::string ca_file, ca_pem;
  std::string cert_file, cert_pem;
  std::string key_file, key_pem;
  std::string token, token_file;
  bool insecure = false;  // insecure-skip-tls-verify
  // Non-empty: this kubeconfig needs something only kubectl does; use kubectl. One line.
  std::string unsupported;
};

// Reads `path` (empty: $KUBECONFIG, else ~/.kube/config, kubectl's own default). A malformed
// file or a dangling context is an error with file:line:col; an unsupported feature is not an
// error but ApiConfig::unsupported. `env` looks up environment variables (injectable for tests).
using EnvLookup = std::function<std::string(const char* name)>;
Result<ApiConfig> load_kubeconfig(const std::string& path, const EnvLookup& env = {});

// The proxy environment kubectl (Go's net/http) would apply to `server`: empty when the request
// goes direct, else a reason to leave the call to kubectl. Only the exact-host, domain-suffix
// and "*" forms of NO_PROXY are recognised; anything else counts as proxied (kubectl's turn).
std::string proxy_reason(const std::string& server, const EnvLookup& env);

class ApiClient {
 public:
  // Fails when cfg.unsupported is set or libcurl cannot be set up.
  static Result<std::unique_ptr<ApiClient>> create(ApiConfig cfg);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GET server + path (path starts with '/', query already escaped). Never throws.
  ApiResponse get(const std::string& path, Millis timeout);
  const ApiConfig& config() const { return cfg_; }
  int requests() const;  // sent so far (a benchmark figure, next to processes spawned)

 private:
  explicit ApiClient(ApiConfig cfg) : cfg_(std::move(cfg)) {}
  ApiConfig cfg_;
  void* curl_ = nullptr;  // CURL*, kept opaque so curl.h stays out of every step's includes
  mutable std::mutex mu_;  // one handle, one request at a time
  int requests_ = 0;
};

// Percent-encodes a query value (a label selector) so curl and kubectl read the same URL.
std::string query_escape(const std::string& value);

// kubectl's wording for a failed `get --raw`: "Error from server (NotFound): ..." from a Status
// body, or "Unable to connect to the server: ..." for a transport error.
std::string kubectl_style_error(const ApiResponse& r);

}  // namespace labctl::cluster
