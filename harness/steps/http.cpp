// http: an HTTP GET from inside a workload (busybox wget -S, status line on stderr), expecting
// a status code.
#include "cluster/classify.h"
#include "steps/common.h"

namespace labctl::steps {
namespace {

class Http final : public scenario::Operation {
 public:
  Target from;
  std::string url;
  long long status = 200;
  Millis request_timeout{std::chrono::seconds(3)};
  std::string kind() const override { return "http"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override { return "GET " + url + " from " + from.describe(); }
  std::string expected() const override { return "HTTP " + std::to_string(status); }
  Millis default_timeout() const override { return std::chrono::seconds(20); }

  Observation attempt(Context& ctx) override {
    auto secs = std::to_string(std::max<long long>(1, request_timeout.count() / 1000));
    // Debian's busybox 1.35 wget segfaults with -T (exit 139), so busybox timeout bounds it.
    auto ran = exec_in(ctx, from, {"timeout", secs, "wget", "-S", "-O-", ctx.expand(url)}, request_timeout + Millis(20000));
    if (kubectl_error(ran.result)) return pending_from(ran, "probe did not run");
    const auto& r = ran.result;
    auto code = cluster::http_status(r.err + "\n" + r.out);
    std::string observed;
    if (code) {
      // Quote the status line as wget printed it: it is what the talk shows.
      auto pos = r.err.find("HTTP/");
      observed = pos == std::string::npos ? "HTTP " + std::to_string(*code) : first_line(r.err.substr(pos));
    } else {
      auto e = cluster::classify_egress(r.exit_code, r.out, r.err, r.elapsed, request_timeout);
      observed = std::string("no response: ") + cluster::to_string(e) + " (" + first_line(r.err) + ")";
    }
    if (code && *code == status) return Observation::pass(observed);
    return Observation::pending(observed, describe_failure(ran.command, r));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_http(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "http", diag);
  auto op = std::make_unique<Http>();
  op->from = read_target(f, "from");
  op->url = f.str("url", true).value_or("");
  op->status = f.integer("status", 100, 599).value_or(200);
  if (auto t = f.duration("request-timeout")) op->request_timeout = *t;
  f.finish();
  return op;
}

}  // namespace labctl::steps
