// Reading what a probe printed: egress outcomes (CASES 7-8), HTTP status lines, Kubernetes
// quantities from the metrics API.
#pragma once

#include <optional>
#include <string>

#include "core/duration.h"

namespace labctl::cluster {

enum class Egress { success, timeout, refused, dns_failure, other };
const char* to_string(Egress e);  // "success", "timeout", "refused", "dns-failure", "other"
std::optional<Egress> egress_from_string(const std::string& s);

// Classifies a busybox nc/wget connect probe. Words win over timing: "bad address" -> DNS,
// "refused" -> REFUSED, "timed out"/"timeout" -> TIMEOUT; a silent non-zero exit that took
// (nearly) the whole probe timeout is a TIMEOUT too; exit 0 -> SUCCESS.
Egress classify_egress(int exit_code, const std::string& out, const std::string& err, Millis elapsed, Millis probe_timeout);

// What kubectl said, for a person: its stderr without klog's lines ("E1203 14:20:12.837063
// 24739 memcache.go:265] ..."), i.e. kubectl's own message ("The connection to the server
// 127.0.0.1:1 was refused - ..."); if only klog lines are there, the cause at the end of the
// last one ("dial tcp 127.0.0.1:1: connect: connection refused").
std::string kubectl_error(const std::string& err);

bool is_ipv4(const std::string& s);
// The answer's IPv4 address in busybox nslookup output ("Name: x" then "Address: 10.96.0.7").
std::optional<std::string> nslookup_address(const std::string& out);

// "  HTTP/1.1 200 OK" in wget -S output (last status line wins, redirects included).
std::optional<int> http_status(const std::string& text);

// CPU "979m", "1", "979123456n", "1500u" -> millicores; memory "15Mi", "15360Ki", "1G", "123" -> bytes.
std::optional<double> cpu_millicores(const std::string& q);
std::optional<double> memory_bytes(const std::string& q);
std::string format_cpu(double millicores);  // "979m"
std::string format_memory(double bytes);    // "15Mi"

}  // namespace labctl::cluster
