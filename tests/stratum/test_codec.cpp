// Units for the shared stratum library: hex, the bounded line reader, JSON-RPC classification and
// encoding (reply shapes from CASES 1, 2, 4), targets/difficulty and the fake hash.
#include <gtest/gtest.h>

#include <cmath>

#include "hex.hpp"
#include "job.hpp"
#include "protocol.hpp"

using namespace stratum;
using nlohmann::json;

TEST(Hex, RoundTripAndInvalid) {
  std::vector<std::uint8_t> b{0x00, 0x7f, 0xff, 0x10};
  EXPECT_EQ(to_hex(b), "007fff10");
  EXPECT_EQ(from_hex("007FFF10").value(), b);
  EXPECT_FALSE(from_hex("abc").has_value());   // odd length
  EXPECT_FALSE(from_hex("zz").has_value());    // not hex
  EXPECT_FALSE(is_hex(""));
  EXPECT_TRUE(is_hex("00aA"));
  EXPECT_EQ(le_hex(0x12345678, 4), "78563412");
  EXPECT_EQ(parse_le_hex("78563412").value(), 0x12345678u);
  EXPECT_FALSE(parse_le_hex("112233445566778899").has_value());  // longer than 8 bytes
}

TEST(LineReader, SplitsLinesAndStripsCr) {
  LineReader r(64);
  ASSERT_TRUE(r.feed("{\"a\":1}\r\n{\"b\""));
  EXPECT_EQ(r.next().value(), "{\"a\":1}");
  EXPECT_FALSE(r.next().has_value());  // partial line stays buffered
  ASSERT_TRUE(r.feed(":2}\n\n"));
  EXPECT_EQ(r.next().value(), "{\"b\":2}");
  EXPECT_EQ(r.next().value(), "");
  EXPECT_FALSE(r.next().has_value());
}

TEST(LineReader, RejectsOversizedCompleteLine) {
  LineReader r(8);
  EXPECT_FALSE(r.feed(std::string(9, 'x') + "\n"));
  EXPECT_TRUE(r.overflowed());
  EXPECT_FALSE(r.next().has_value());
}

TEST(LineReader, RejectsOversizedUnterminatedTail) {
  LineReader r(8);
  EXPECT_TRUE(r.feed("12345678"));  // exactly at the limit is fine
  EXPECT_FALSE(r.feed("9"));        // one more byte without newline is not
}

TEST(LineReader, ManySmallLinesDoNotAccumulate) {
  LineReader r(32);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(r.feed("{\"id\":1}\n"));
    ASSERT_TRUE(r.next().has_value());
  }
  EXPECT_EQ(r.pending(), 0u);
}

TEST(ParseMessage, ValidKinds) {
  auto req = std::get<Message>(parse_message(R"({"id":3,"jsonrpc":"2.0","method":"keepalived","params":{"id":"s"}})"));
  EXPECT_EQ(req.kind, Message::Kind::request);
  EXPECT_EQ(req.method, "keepalived");
  EXPECT_EQ(req.id, 3);
  auto note = std::get<Message>(parse_message(R"({"jsonrpc":"2.0","method":"job","params":{}})"));
  EXPECT_EQ(note.kind, Message::Kind::notification);
  auto resp = std::get<Message>(parse_message(R"({"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}})"));
  EXPECT_EQ(resp.kind, Message::Kind::response);
  EXPECT_TRUE(resp.error.is_null());
  EXPECT_EQ(resp.result["status"], "OK");
}

struct BadInput {
  const char* line;
  int code;
};
void PrintTo(const BadInput& b, std::ostream* os) { *os << json(b.line).dump(-1, ' ', false, json::error_handler_t::replace); }
class ParseMessageInvalid : public ::testing::TestWithParam<BadInput> {};
TEST_P(ParseMessageInvalid, GivesJsonRpcError) {
  auto r = parse_message(GetParam().line);
  ASSERT_TRUE(std::holds_alternative<ProtocolError>(r)) << GetParam().line;
  EXPECT_EQ(std::get<ProtocolError>(r).code, GetParam().code);
}
INSTANTIATE_TEST_SUITE_P(Table, ParseMessageInvalid,
                         ::testing::Values(BadInput{"{bad json", kParseError}, BadInput{"", kParseError},
                                           BadInput{"\x01\x02\xff", kParseError}, BadInput{"[1,2]", kInvalidRequest},
                                           BadInput{"42", kInvalidRequest}, BadInput{R"({"id":1})", kInvalidRequest},
                                           BadInput{R"({"id":1,"method":7})", kInvalidRequest}));

TEST(Encode, KeepaliveReplyShapeCase1) {
  EXPECT_EQ(encode_result(3, {{"status", "KEEPALIVED"}}),
            "{\"id\":3,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"KEEPALIVED\"}}\n");
}

TEST(Encode, ErrorReplyShapeCase2And4) {
  EXPECT_EQ(encode_error(1, kPoolError, "Invalid payment address provided"),
            "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,\"message\":\"Invalid payment address provided\"}}\n");
  EXPECT_EQ(encode_result(2, {{"status", "OK"}}), "{\"id\":2,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"status\":\"OK\"}}\n");
}

TEST(Encode, RequestAndNotification) {
  EXPECT_EQ(encode_request(7, "submit", {{"id", "s"}}), "{\"id\":7,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"s\"}}\n");
  EXPECT_EQ(encode_notification("job", {{"job_id", "j"}}), "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"job_id\":\"j\"}}\n");
}

TEST(Job, JsonFieldsInPoolOrder) {
  Job j{"10", "j1", "b88d0600", "rx/0", 100, std::string(64, 'a')};
  EXPECT_EQ(j.to_json().dump(), R"({"blob":"10","job_id":"j1","target":"b88d0600","algo":"rx/0","height":100,"seed_hash":")" +
                                    std::string(64, 'a') + "\"}");
}

TEST(Target, MatchesXmrigArithmetic) {
  EXPECT_EQ(target_for_difficulty(10000), "b88d0600");  // CASES 3's target
  EXPECT_EQ(difficulty_from_target("b88d0600").value(), 10000u);
  EXPECT_EQ(target_for_difficulty(5000), "711b0d00");
  EXPECT_EQ(difficulty_from_target(target_for_difficulty(5000)).value(), 5000u);
  EXPECT_EQ(difficulty_from_target("ffffffff").value(), 1u);
  EXPECT_FALSE(difficulty_from_target("00000000").has_value());
  EXPECT_FALSE(difficulty_from_target("b88d06").has_value());
  EXPECT_FALSE(difficulty_from_target("zz8d0600").has_value());
  EXPECT_EQ(difficulty_from_target(le_hex(target64(123456), 8)).value(), 123456u);  // 64-bit targets
}

TEST(Result, DifficultyFromLastEightBytes) {
  EXPECT_EQ(result_difficulty(std::string(64, '0')).value(), UINT64_MAX);
  EXPECT_EQ(result_difficulty(std::string(64, 'f')).value(), 1u);
  const std::uint64_t h = target64(5000) - 1;
  EXPECT_GE(result_difficulty(result_hex(h)).value(), 5000u);
  EXPECT_LT(result_difficulty(result_hex(target64(5000) * 2)).value(), 5000u);
  EXPECT_FALSE(result_difficulty("abc").has_value());
  EXPECT_FALSE(result_difficulty(std::string(63, '0') + "g").has_value());
  EXPECT_EQ(result_hex(1).size(), 64u);
  EXPECT_EQ(nonce_hex(0x400003d0), "d0030040");  // CASES 4's nonce, little-endian
}

TEST(FakeHash, ShareProbabilityIsOneOverDifficulty) {
  // 400k hashes at difficulty 200: expect 2000 shares; 6 sigma is about 270.
  const std::uint64_t seed = blob_seed("1010abcdef"), tgt = target64(200);
  int shares = 0;
  for (std::uint32_t n = 0; n < 400000; ++n) shares += fake_hash(seed, n) < tgt;
  EXPECT_NEAR(shares, 2000, 270);
  EXPECT_NE(fake_hash(seed, 1), fake_hash(seed, 2));
  EXPECT_NE(blob_seed("a"), blob_seed("b"));
}
