// egress: can a workload open a TCP connection to host:port? Observed as success / timeout /
// refused / dns-failure (CASES 7-8), in two probes: the name through the pod's search list
// (`timeout T nslookup` per candidate, see kResolveScript), then busybox
// `nc -w T <address> port -e /bin/true`, which connects, runs true and exits 0, or says why not.
#include "cluster/classify.h"
#include "steps/common.h"

namespace labctl::steps {
namespace {

// Resolves $1 the way the pod's own resolver would (busybox nslookup does not apply the search
// list, so "mock-pool.lab.svc" would read NXDOMAIN where nc and wget connect): names with fewer
// than ndots (5 in Kubernetes) dots try each search domain first, then the bare name; others
// the bare name first. A candidate that gets no answer within $2 seconds means the resolver is
// unreachable (a policy dropping DNS): stop there, exit 143. The script is constant; the name
// and the timeout arrive as arguments, never spliced into it.
constexpr const char* kResolveScript = R"sh(n=$1 t=$2
set -- $(sed -n 's/^search //p' /etc/resolv.conf)
case $n in
  *.) cands=$n ;;
  *) dots=$(printf %s "$n" | tr -cd . | wc -c)
     tail=""; for d in "$@"; do tail="$tail $n.$d"; done
     if [ "$dots" -ge 5 ]; then cands="$n$tail"; else cands="$tail $n"; fi ;;
esac
for c in $cands; do
  out=$(timeout "$t" nslookup "$c" 2>&1); rc=$?
  case $out in *"
Name:"*) printf '%s\n' "$out"; exit 0 ;; esac
  if [ $rc -ge 124 ]; then printf 'no answer for %s\n' "$c"; exit 143; fi
done
printf '%s\n' "$out"; exit 1)sh";

class EgressOp final : public scenario::Operation {
 public:
  Target from;
  std::string host;
  long long port = 0;
  cluster::Egress outcome = cluster::Egress::success;
  Millis connect_timeout{std::chrono::seconds(3)};
  std::string kind() const override { return "egress"; }
  bool is_expectation() const override { return true; }
  std::string summary() const override {
    return "egress from " + from.describe() + " to " + host + ":" + std::to_string(port);
  }
  std::string expected() const override { return cluster::to_string(outcome); }
  // Long enough for a policy to take effect (kube-router: ~1 s), short enough to fail fast.
  Millis default_timeout() const override { return std::chrono::seconds(12); }

  Observation attempt(Context& ctx) override {
    auto secs = std::to_string(std::max<long long>(1, connect_timeout.count() / 1000));
    // Phase 1, the name. Kept apart from the connect so a policy that drops DNS reads as the
    // DNS failure it is (CASES 7), not as a connect timeout: under a DROP engine, nc's -w alarm
    // would fire while the resolver is still waiting.
    std::string address = host;
    std::string resolved_note;
    if (!cluster::is_ipv4(host)) {
      auto dns = exec_in(ctx, from, {"sh", "-c", kResolveScript, "resolve", host, secs}, connect_timeout * 8 + Millis(20000));
      if (kubectl_error(dns.result) && dns.result.exit_code != 143) return pending_from(dns, "probe did not run");
      auto ip = cluster::nslookup_address(dns.result.out);
      if (!ip) {
        std::string why = first_line(dns.result.out.find("can't find") != std::string::npos ? dns.result.out.substr(dns.result.out.find("**")) : dns.result.err);
        if (dns.result.exit_code == 143 || why.empty()) why = "no answer from cluster DNS within " + format_duration(connect_timeout);
        std::string observed = "dns-failure after " + format_duration(dns.result.elapsed) + " (" + why + ")";
        if (outcome == cluster::Egress::dns_failure) return Observation::pass(observed);
        return Observation::pending(observed, describe_failure(dns.command, dns.result));
      }
      address = *ip;
      resolved_note = "; " + host + " = " + *ip;
    }
    // Phase 2, the connection: busybox nc connects, runs true and exits 0, or says why not.
    auto ran = exec_in(ctx, from, {"nc", "-w", secs, address, std::to_string(port), "-e", "/bin/true"},
                       connect_timeout + Millis(20000));
    if (kubectl_error(ran.result)) return pending_from(ran, "probe did not run");
    const auto& r = ran.result;
    // kubectl exec's own round trip is in `elapsed`; it only makes a silent failure look
    // slower, never faster, so it cannot turn a quick failure into a timeout.
    auto got = cluster::classify_egress(r.exit_code, r.out, r.err, r.elapsed, connect_timeout);
    std::string said = first_line(r.err.empty() ? r.out : r.err);
    // "connected" only when nc said nothing AND exited 0; a killed or silent probe says so.
    if (said.empty()) said = r.exit_code == 0 ? "connected" : "no output, exit status " + std::to_string(r.exit_code);
    std::string observed = std::string(cluster::to_string(got)) + " after " + format_duration(r.elapsed) + " (" +
                           said + resolved_note + ")";
    if (got == outcome) return Observation::pass(observed);
    return Observation::pending(observed, describe_failure(ran.command, r));
  }
};

}  // namespace

std::unique_ptr<scenario::Operation> parse_egress(const YAML::Node& body, scenario::Diagnostics& diag) {
  Fields f(body, "egress", diag);
  auto op = std::make_unique<EgressOp>();
  op->from = read_target(f, "from");
  op->host = f.str("host", true).value_or("");
  op->port = f.integer("port", 1, 65535, true).value_or(0);
  if (auto o = f.one_of("outcome", {"success", "timeout", "refused", "dns-failure"}, true))
    op->outcome = *cluster::egress_from_string(*o);
  if (auto t = f.duration("connect-timeout")) op->connect_timeout = *t;
  f.finish();
  return op;
}

}  // namespace labctl::steps
