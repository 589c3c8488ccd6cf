// The libcurl side of the API client: one easy handle per client, configured once (TLS material
// as in-memory blobs, no proxy, no signals, no redirects), reused for every GET so polls share
// one kept-alive connection.
#include "cluster/api.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string_view>

#include "core/log.h"

namespace labctl::cluster {
namespace {

constexpr size_t kMaxBody = 16u << 20;  // a PodMetricsList or /stats is KBs; cap what a poll may buffer
constexpr Millis kMaxConnect{10000};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > kMaxBody) return 0;  // makes curl fail the transfer (CURLE_WRITE_ERROR)
  body->append(data, size * n);
  return size * n;
}

bool set_blob(CURL* h, CURLoption opt, const std::string& bytes) {
  if (bytes.empty()) return true;
  curl_blob blob{const_cast<char*>(bytes.data()), bytes.size(), CURL_BLOB_COPY};
  return curl_easy_setopt(h, opt, &blob) == CURLE_OK;
}

std::string first_line(const std::string& s, size_t max = 200) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto line = s.substr(b, s.find('\n', b) - b);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.size() > max ? line.substr(0, max) + "…" : line;
}

}  // namespace

Result<std::unique_ptr<ApiClient>> ApiClient::create(ApiConfig cfg) {
  if (!cfg.unsupported.empty()) return Error{cfg.unsupported, ""};
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  // curl_global_init is not thread-safe; labctl builds clients from one thread, but be certain.
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) return Error{std::string("libcurl: ") + curl_easy_strerror(global), ""};
  std::unique_ptr<ApiClient> c(new ApiClient(std::move(cfg)));
  CURL* h = curl_easy_init();
  if (!h) return Error{"libcurl: curl_easy_init failed", ""};
  c->curl_ = h;
  bool ok = true;
  auto set = [&](CURLoption o, auto v) { ok = ok && curl_easy_setopt(h, o, v) == CURLE_OK; };
  set(CURLOPT_NOSIGNAL, 1L);  // threads and timeouts without SIGALRM
  // The kubeconfig had no proxy-url and proxy_reason() found no proxy for this server, so an
  // inherited http(s)_proxy must not reroute the request where kubectl would not.
  set(CURLOPT_NOPROXY, "*");
  set(CURLOPT_PROXY, "");
  set(CURLOPT_PROTOCOLS_STR, "https,http");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_USERAGENT, "labctl/" LABCTL_VERSION);
  if (c->cfg_.insecure) {
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  ok = ok && set_blob(h, CURLOPT_CAINFO_BLOB, c->cfg_.ca_pem);
  if (!c->cfg_.cert_pem.empty()) {
    set(CURLOPT_SSLCERTTYPE, "PEM");
    set(CURLOPT_SSLKEYTYPE, "PEM");
    ok = ok && set_blob(h, CURLOPT_SSLCERT_BLOB, c->cfg_.cert_pem) && set_blob(h, CURLOPT_SSLKEY_BLOB, c->cfg_.key_pem);
  }
  set(CURLOPT_WRITEFUNCTION, &on_body);
  if (!ok) return Error{"libcurl lacks an option labctl needs (TLS blobs need libcurl >= 7.77 with OpenSSL)", ""};
  return c;
}

ApiClient::~ApiClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

int ApiClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

ApiResponse ApiClient::get(const std::string& path, Millis timeout) {
  std::lock_guard lock(mu_);
  ++requests_;
  ApiResponse r;
  r.url = cfg_.server + path;
  auto* h = static_cast<CURL*>(curl_);
  std::string token = cfg_.token;
  if (!cfg_.token_file.empty()) {
    // Re-read per request: projected ServiceAccount tokens rotate under a running process.
    std::ifstream in(cfg_.token_file);
    std::getline(in, token);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json, */*");
  std::string auth = "Authorization: Bearer " + token;
  if (!token.empty()) headers = curl_slist_append(headers, auth.c_str());
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(timeout.count(), 1)));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout, kMaxConnect).count()));
  auto t0 = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(h);
  r.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  // The handle outlives these locals: leave no pointers to them behind.
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    r.error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (rc == CURLE_WRITE_ERROR) r.error = "answer larger than " + std::to_string(kMaxBody >> 20) + " MiB";
    r.body.clear();
  } else {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  }
  log::debug("api: GET " + r.url + " -> " + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error) + " in " +
             format_duration(r.elapsed));
  return r;
}

std::string query_escape(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : value) {
    // Readable in --explain for ordinary selectors (app=x,tier!=y); everything else escaped.
    if (std::isalnum(ch) || std::string_view("-_.~=,!").find(static_cast<char>(ch)) != std::string_view::npos) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

std::string kubectl_style_error(const ApiResponse& r) {
  if (!r.error.empty()) return "Unable to connect to the server: " + r.error;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_object() && doc.value("kind", "") == "Status") {
    auto reason = doc.value("reason", std::string());
    return "Error from server" + (reason.empty() ? std::string() : " (" + reason + ")") + ": " + doc.value("message", std::string());
  }
  auto body = first_line(r.body);
  return "Error from server (HTTP " + std::to_string(r.status) + ")" + (body.empty() ? std::string() : ": " + body);
}

}  // namespace labctl::cluster
