// JSON-RPC line codec: see protocol.hpp.
#include "protocol.hpp"

namespace stratum {

using ordered = nlohmann::ordered_json;

bool LineReader::feed(std::string_view data) {
  if (overflow_) return false;
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);  // compact occasionally so consumed lines do not accumulate
    pos_ = 0;
  }
  buf_.append(data);
  // Every complete line must fit, and so must the unterminated tail.
  std::size_t start = pos_;
  for (;;) {
    auto nl = buf_.find('\n', start);
    std::size_t len = (nl == std::string::npos ? buf_.size() : nl) - start;
    if (len > max_line_) {
      overflow_ = true;
      return false;
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return true;
}

std::optional<std::string> LineReader::next() {
  if (overflow_) return std::nullopt;
  auto nl = buf_.find('\n', pos_);
  if (nl == std::string::npos) return std::nullopt;
  std::string line = buf_.substr(pos_, nl - pos_);
  pos_ = nl + 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::variant<Message, ProtocolError> parse_message(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return ProtocolError{kParseError, "Parse error", nullptr};
  if (!j.is_object()) return ProtocolError{kInvalidRequest, "Invalid Request", nullptr};
  Message m;
  if (auto it = j.find("id"); it != j.end()) m.id = *it;
  if (auto it = j.find("method"); it != j.end()) {
    if (!it->is_string()) return ProtocolError{kInvalidRequest, "Invalid Request", m.id};
    m.method = it->get<std::string>();
    m.kind = m.id.is_null() ? Message::Kind::notification : Message::Kind::request;
    if (auto p = j.find("params"); p != j.end()) m.params = *p;
    return m;
  }
  auto r = j.find("result");
  auto e = j.find("error");
  if (r == j.end() && e == j.end()) return ProtocolError{kInvalidRequest, "Invalid Request", m.id};
  m.kind = Message::Kind::response;
  if (r != j.end()) m.result = *r;
  if (e != j.end()) m.error = *e;
  return m;
}

namespace {
ordered to_ordered(const nlohmann::json& j) { return ordered(j); }
}  // namespace

std::string encode_result(const nlohmann::json& id, const ordered& result) {
  ordered o;
  o["id"] = to_ordered(id);
  o["jsonrpc"] = "2.0";
  o["error"] = nullptr;
  o["result"] = result;
  return o.dump() + "\n";
}

std::string encode_error(const nlohmann::json& id, int code, std::string_view message) {
  ordered o;
  o["id"] = to_ordered(id);
  o["jsonrpc"] = "2.0";
  o["error"] = {{"code", code}, {"message", std::string(message)}};
  return o.dump() + "\n";
}

std::string encode_request(std::uint64_t id, std::string_view method, const ordered& params) {
  ordered o;
  o["id"] = id;
  o["jsonrpc"] = "2.0";
  o["method"] = std::string(method);
  o["params"] = params;
  return o.dump() + "\n";
}

std::string encode_notification(std::string_view method, const ordered& params) {
  ordered o;
  o["jsonrpc"] = "2.0";
  o["method"] = std::string(method);
  o["params"] = params;
  return o.dump() + "\n";
}

}  // namespace stratum
