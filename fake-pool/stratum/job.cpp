// Job/share model: see job.hpp.
#include "job.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "hex.hpp"

namespace stratum {

nlohmann::ordered_json Job::to_json() const {
  return nlohmann::ordered_json{{"blob", blob}, {"job_id", job_id}, {"target", target}, {"algo", algo},
          {"height", height}, {"seed_hash", seed_hash}};
}

std::string target_for_difficulty(std::uint64_t diff) {
  if (diff == 0) diff = 1;
  const std::uint64_t t = 0xFFFFFFFFULL / diff;
  return le_hex(t == 0 ? 1 : t, 4);
}

std::uint64_t target64(std::uint64_t diff) {
  return diff == 0 ? std::numeric_limits<std::uint64_t>::max()
                   : std::numeric_limits<std::uint64_t>::max() / diff;
}

std::optional<std::uint64_t> difficulty_from_target(const std::string& target_hex) {
  if (target_hex.size() != 8 && target_hex.size() != 16) return std::nullopt;
  auto raw = parse_le_hex(target_hex);
  if (!raw || *raw == 0) return std::nullopt;
  std::uint64_t t64 = *raw;
  if (target_hex.size() == 8) t64 = 0xFFFFFFFFFFFFFFFFULL / (0xFFFFFFFFULL / *raw);
  return 0xFFFFFFFFFFFFFFFFULL / t64;
}

namespace {
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t blob_seed(const std::string& blob) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: cheap and stable across both binaries
  for (unsigned char c : blob) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::uint64_t fake_hash(std::uint64_t seed, std::uint32_t nonce) { return splitmix(seed ^ splitmix(nonce)); }

std::string result_hex(std::uint64_t hash) {
  std::string out;
  std::uint64_t filler = hash;
  for (int i = 0; i < 3; ++i) {
    filler = splitmix(filler);
    out += le_hex(filler, 8);
  }
  return out + le_hex(hash, 8);
}

std::optional<std::uint64_t> result_difficulty(const std::string& result) {
  if (result.size() != 64 || !is_hex(result)) return std::nullopt;
  auto v = parse_le_hex(std::string_view(result).substr(48));
  if (!v) return std::nullopt;
  if (*v == 0) return std::numeric_limits<std::uint64_t>::max();
  return std::numeric_limits<std::uint64_t>::max() / *v;
}

std::string nonce_hex(std::uint32_t nonce) { return le_hex(nonce, 4); }

}  // namespace stratum
