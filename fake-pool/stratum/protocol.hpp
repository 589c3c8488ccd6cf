// Newline-delimited JSON-RPC as xmrig speaks it: a bounded line reader, message classification,
// and encoders that keep the field order real pools use ({"id":..,"jsonrpc":"2.0",...}).
#pragma once
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace stratum {

// Splits a byte stream into lines, refusing to buffer more than max_line bytes without a '\n'
// (a peer that never sends a newline must not grow our memory). A trailing '\r' is dropped.
class LineReader {
 public:
  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}
  // Appends data; returns false once a line (or pending partial line) exceeds max_line.
  bool feed(std::string_view data);
  // Next complete line, if any.
  std::optional<std::string> next();
  bool overflowed() const { return overflow_; }
  std::size_t pending() const { return buf_.size() - pos_; }

 private:
  std::size_t max_line_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool overflow_ = false;
};

// JSON-RPC error codes used on the wire.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
// Monero pools answer domain errors with code -1 and a human message (CASES 2 and 4).
inline constexpr int kPoolError = -1;

struct Message {
  enum class Kind { request, notification, response };
  Kind kind = Kind::request;
  nlohmann::json id;  // null for notifications
  std::string method;
  nlohmann::json params;
  nlohmann::json result;
  nlohmann::json error;  // null or {"code":..,"message":..}
};

struct ProtocolError {
  int code;
  std::string message;
  nlohmann::json id;  // echoed back when the request had one
};

std::variant<Message, ProtocolError> parse_message(std::string_view line);

// Encoders; each returns one line including the trailing '\n'.
// ordered_json keeps insertion order on the wire, e.g. result {"id","job","status"} as in CASES 2;
// plain nlohmann::json converts implicitly (its keys come out sorted).
std::string encode_result(const nlohmann::json& id, const nlohmann::ordered_json& result);
std::string encode_error(const nlohmann::json& id, int code, std::string_view message);
std::string encode_request(std::uint64_t id, std::string_view method, const nlohmann::ordered_json& params);
std::string encode_notification(std::string_view method, const nlohmann::ordered_json& params);

}  // namespace stratum
