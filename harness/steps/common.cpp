#include "steps/common.h"

namespace labctl::steps {

Target read_target(Fields& f, const std::string& key) {
  Target t;
  t.ref = f.str(key, true).value_or("");
  if (!t.ref.empty() && t.ref.find('/') == std::string::npos)
    f.diag().add(f.node()[key], key + ": '" + t.ref + "' needs a kind", "write deployment/" + t.ref + " or pod/" + t.ref);
  t.ns = f.str_or("namespace", "");
  t.container = f.str_or("container", "");
  return t;
}

std::string last_line(const std::string& text, size_t max) {
  std::string last;
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = trim(text.substr(start, end - start));
    if (!line.empty()) last = line;
    start = end + 1;
  }
  return last.size() > max ? last.substr(0, max) + "…" : last;
}

Ran kubectl(Context& ctx, std::vector<std::string> args, Millis timeout, std::string stdin_data) {
  Ran ran{ctx.kube.command(std::move(args), timeout, std::move(stdin_data)), {}, std::nullopt};
  ran.result = ctx.kube.runner().run(ran.command);
  return ran;
}

Ran get_raw(Context& ctx, const std::string& path, Millis timeout) {
  auto g = ctx.kube.get_raw(path, timeout);
  return Ran{std::move(g.command), std::move(g.result), std::move(g.api)};
}

bool kubectl_error(const CommandResult& r) {
  if (r.not_found || r.timed_out) return true;
  if (r.exit_code == 0) return false;
  const auto& e = r.err;
  return e.rfind("error:", 0) == 0 || e.rfind("Error from server", 0) == 0 || e.find("\nerror:") != std::string::npos ||
         e.find("Unable to connect to the server") != std::string::npos;
}

Ran exec_in(Context& ctx, const Target& t, const std::vector<std::string>& argv, Millis timeout) {
  std::vector<std::string> args = {"exec", "-n", t.namespace_in(ctx), ctx.expand(t.ref)};
  if (!t.container.empty()) {
    args.push_back("-c");
    args.push_back(t.container);
  }
  args.push_back("--");
  for (const auto& a : argv) args.push_back(ctx.expand(a));
  return kubectl(ctx, std::move(args), timeout);
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string first_line(const std::string& text, size_t max) {
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = trim(text.substr(start, end - start));
    if (!line.empty()) return line.size() > max ? line.substr(0, max) + "…" : line;
    start = end + 1;
  }
  return {};
}

namespace {
std::string short_failure(const Ran& ran) {
  const auto& r = ran.result;
  std::string msg = first_line(r.err);
  if (msg.empty()) msg = first_line(r.out);
  if (r.timed_out) msg = ran.api ? "no answer within " + format_duration(ran.command.timeout) : "no answer (killed at its timeout)";
  if (msg.empty()) msg = "exit " + std::to_string(r.exit_code);
  return msg;
}

// An API client failure told like describe_failure tells a command's: what was sent, the
// pasteable kubectl line that sends the same, what came back.
std::string describe_api_failure(const Ran& ran) {
  const auto& a = *ran.api;
  std::string s = "request: GET " + a.url + " (labctl's API client; the same request: " + quote_line(ran.command.argv) + ")\n";
  if (!a.error.empty()) s += "  no answer after " + format_duration(a.elapsed) + ": " + a.error + "\n";
  else s += "  HTTP " + std::to_string(a.status) + " after " + format_duration(a.elapsed) + "\n";
  std::string body = a.body.size() > 2000 ? a.body.substr(0, 2000) + "…" : a.body;
  size_t start = 0, lines = 0;
  while (start < body.size() && lines++ < 12) {
    auto end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    s += "  body: " + body.substr(start, end - start) + "\n";
    start = end + 1;
  }
  s.pop_back();
  return s;
}

std::string failure_detail(const Ran& ran) {
  return ran.api ? describe_api_failure(ran) : describe_failure(ran.command, ran.result);
}
}  // namespace

Observation pending_from(const Ran& ran, const std::string& what) {
  return Observation::pending(what + ": " + short_failure(ran), failure_detail(ran));
}

Observation fail_from(const Ran& ran, const std::string& what) {
  return Observation::fail(what + ": " + short_failure(ran), failure_detail(ran));
}

}  // namespace labctl::steps
