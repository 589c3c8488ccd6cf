// Lab wallet format: see wallet.hpp.
#include "wallet.hpp"

#include <algorithm>

namespace stratum {

namespace {
constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
bool worker_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
}  // namespace

bool is_valid_wallet(std::string_view w) {
  if (w.size() != 95 || (w.front() != '4' && w.front() != '8')) return false;
  return std::all_of(w.begin(), w.end(), [](char c) { return kBase58.find(c) != std::string_view::npos; });
}

std::optional<LoginName> parse_login(std::string_view login) {
  if (auto plus = login.find('+'); plus != std::string_view::npos) login = login.substr(0, plus);
  LoginName out;
  if (auto dot = login.find('.'); dot != std::string_view::npos) {
    out.worker = std::string(login.substr(dot + 1));
    login = login.substr(0, dot);
    if (out.worker.empty() || out.worker.size() > 64 ||
        !std::all_of(out.worker.begin(), out.worker.end(), worker_char))
      return std::nullopt;
  }
  if (!is_valid_wallet(login)) return std::nullopt;
  out.wallet = std::string(login);
  return out;
}

}  // namespace stratum
