// One error vocabulary for labctl: Result<T> for what a caller can handle, UserError (with an
// exit code and a hint) for what ends the program; main() turns UserError into the exit code.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace labctl {

// Documented in docs/labctl.md; keep the two in step.
enum class ExitCode : int {
  ok = 0,           // every expectation held
  failed = 1,       // an expectation failed, a step errored, or cleanup failed
  usage = 2,        // bad command line, unknown episode
  environment = 3,  // no kubectl, cluster unreachable, provider failed, lab dir not found
  invalid = 4,      // a scenario file did not load (validate, run, describe)
  interrupted = 130 // Ctrl-C (after cleanup ran)
};

struct Error {
  std::string message;
  std::string hint;  // one line telling the user what to do; may be empty
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

// The one fatal exception: thrown where continuing makes no sense, caught in main().
class UserError : public std::runtime_error {
 public:
  UserError(ExitCode code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}
  UserError(ExitCode code, const Error& e) : UserError(code, e.message, e.hint) {}
  ExitCode code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  ExitCode code_;
  std::string hint_;
};

}  // namespace labctl
