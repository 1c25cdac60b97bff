#include "sidecar/push/ws/ws_frames.hpp"

#include <gtest/gtest.h>

namespace pushsync::push {
namespace {

using Kind = WsReader::Event::Kind;

// A frame as a device sends it: masked.
std::string device_frame(std::uint8_t first_byte, const std::string& payload) {
  std::string out(1, static_cast<char>(first_byte));
  const std::size_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  const std::string mask = "\x12\x34\x56\x78";
  out += mask;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(payload[i] ^ mask[i % 4]);
  return out;
}

std::vector<WsReader::Event> read(const std::string& bytes, std::size_t max = 4096) {
  WsReader reader(max);
  std::vector<WsReader::Event> events;
  reader.feed(bytes, events);
  return events;
}

TEST(WsFrames, AMaskedTextFrameIsOneMessage) {
  auto events = read(device_frame(0x81, R"({"ack":7})"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::message);
  EXPECT_EQ(events[0].payload, R"({"ack":7})");
}

TEST(WsFrames, BytesThatComeOneByOneGiveTheSameMessages) {
  const std::string long_ack = R"({"ack":[)" + std::string(290, '1') + "]}";  // a 16-bit length
  const std::string bytes = device_frame(0x81, R"({"ack":1})") + device_frame(0x81, long_ack);
  WsReader reader(4096);
  std::vector<WsReader::Event> events;
  for (char c : bytes) reader.feed(std::string_view(&c, 1), events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].payload, R"({"ack":1})");
  EXPECT_EQ(events[1].payload, long_ack);
}

TEST(WsFrames, AFragmentedMessageIsGatheredAroundAPing) {
  auto events = read(device_frame(0x01, R"({"ack")") + device_frame(0x89, "hi") + device_frame(0x80, ":3}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::ping);
  EXPECT_EQ(events[0].payload, "hi");
  EXPECT_EQ(events[1].kind, Kind::message);
  EXPECT_EQ(events[1].payload, R"({"ack":3})");
}

TEST(WsFrames, ACloseCarriesItsCodeAndEndsTheReading) {
  auto events = read(device_frame(0x88, std::string("\x03\xE8", 2) + "bye") + device_frame(0x81, "late"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::close);
  EXPECT_EQ(events[0].code, 1000);
  EXPECT_EQ(read(device_frame(0x88, ""))[0].code, ws_no_status);
}

TEST(WsFrames, ProtocolViolationsEndTheConnectionWith1002) {
  const std::string unmasked = "\x81\x02hi";
  const std::string reserved_bit = device_frame(0xC1, "x");
  const std::string unknown_opcode = device_frame(0x83, "x");
  const std::string fragmented_ping = device_frame(0x09, "x");
  const std::string continuation_of_nothing = device_frame(0x80, "x");
  const std::string new_message_inside_one = device_frame(0x01, "a") + device_frame(0x81, "b");
  for (const auto& bytes :
       {unmasked, reserved_bit, unknown_opcode, fragmented_ping, continuation_of_nothing, new_message_inside_one}) {
    auto events = read(bytes);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().kind, Kind::violation);
    EXPECT_EQ(events.back().code, ws_protocol_error);
  }
}

TEST(WsFrames, AMessageOverTheLimitIs1009BeforeItsBytesCome) {
  std::string header = device_frame(0x81, std::string(5000, 'x')).substr(0, 8);  // the header and mask only
  auto events = read(header);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::violation);
  EXPECT_EQ(events[0].code, ws_too_big);
  // Fragments that add up to more than the limit.
  events = read(device_frame(0x01, std::string(3000, 'x')) + device_frame(0x80, std::string(2000, 'x')));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, ws_too_big);
  EXPECT_EQ(read(device_frame(0x81, std::string(4096, 'x')))[0].kind, Kind::message);  // the limit itself is fine
}

TEST(WsFrames, ServerHeadersUseTheShortestLength) {
  auto h = ws_frame_header(WsOpcode::text, 5);
  EXPECT_EQ(std::string(h.bytes.data(), h.size), "\x81\x05");
  h = ws_frame_header(WsOpcode::text, 300);
  EXPECT_EQ(std::string(h.bytes.data(), h.size), std::string("\x81\x7E\x01\x2C", 4));
  h = ws_frame_header(WsOpcode::binary, 70000);
  EXPECT_EQ(std::string(h.bytes.data(), h.size), std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  EXPECT_EQ(ws_close_payload(1001), std::string("\x03\xE9", 2));
}

TEST(WsFrames, TheAcceptKeyIsRfc6455s) {
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

}  // namespace
}  // namespace pushsync::push
