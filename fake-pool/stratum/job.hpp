// The job/share model both sides agree on: compact targets <-> difficulty (xmrig's arithmetic),
// the harmless fake hash, and how a share's difficulty is read back from its result.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stratum {

struct Job {
  std::string blob;       // hex, >= 76 bytes
  std::string job_id;
  std::string target;     // 8 hex chars (little-endian uint32), as real pools send
  std::string algo = "rx/0";
  std::uint64_t height = 0;
  std::string seed_hash;  // 64 hex chars; RandomX needs it (CASES 3)

  // Field order as pools send it (CASES 2): blob, job_id, target, algo, height, seed_hash.
  nlohmann::ordered_json to_json() const;
};

// 8-hex compact target for a difficulty: LE(0xFFFFFFFF / diff), e.g. 10000 -> "b88d0600".
std::string target_for_difficulty(std::uint64_t diff);
// Difficulty of an 8- or 16-hex target, computed like xmrig's Job::setTarget/toDiff.
std::optional<std::uint64_t> difficulty_from_target(const std::string& target_hex);
// The 64-bit target a hash must be below: UINT64_MAX / diff.
std::uint64_t target64(std::uint64_t diff);

// The fake "proof of work": a cheap 64-bit mix of the job blob and a nonce. Never a real PoW; it
// only makes shares look random. Uniform enough that P(hash < target64(d)) == 1/d.
std::uint64_t blob_seed(const std::string& blob);
std::uint64_t fake_hash(std::uint64_t blob_seed, std::uint32_t nonce);
// 64-hex result whose last 8 bytes are the little-endian hash value, which is where Monero pools
// read a result's difficulty from; the first 24 bytes are filler derived from the hash.
std::string result_hex(std::uint64_t hash);
// Difficulty a result proves: UINT64_MAX / LE64(last 8 bytes); empty if not 64 hex chars.
std::optional<std::uint64_t> result_difficulty(const std::string& result);
// "0000002a"-style nonce: 8 hex chars, little-endian, as xmrig submits it.
std::string nonce_hex(std::uint32_t nonce);

}  // namespace stratum
