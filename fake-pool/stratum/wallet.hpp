// The lab wallet format. Logins are "<wallet>[.<worker>][+<fixed-diff>]" as many Monero pools
// accept; the wallet part is Monero-shaped: 95 base58 characters starting with '4' (primary
// address) or '8' (subaddress). Format only: no checksum, so no real address is ever needed.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace stratum {

// The wallet every lab manifest and default config uses; passes is_valid_wallet().
inline constexpr std::string_view kLabWallet =
    "44LabWa11etCryptojackingLabP1aceho1derNotARea1MoneroAddressUsedon1yByFakePoo1AndFakeMinerXXXXXX";

bool is_valid_wallet(std::string_view wallet);

struct LoginName {
  std::string wallet;
  std::string worker;  // empty when the login had no ".worker" part
};
// Splits and validates a login; empty optional when the wallet part is not a lab wallet.
std::optional<LoginName> parse_login(std::string_view login);

}  // namespace stratum
