// Hex helpers shared by the pool and the miner (blobs, targets, nonces, results are hex on the wire).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratum {

bool is_hex(std::string_view s);
std::string to_hex(const std::uint8_t* data, std::size_t n);
std::string to_hex(const std::vector<std::uint8_t>& bytes);
// Empty optional when s has odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view s);
// Little-endian hex of the low `bytes` bytes of v (the byte order Monero targets and nonces use).
std::string le_hex(std::uint64_t v, int bytes);
std::optional<std::uint64_t> parse_le_hex(std::string_view s);

}  // namespace stratum
