#include <gtest/gtest.h>

#include "sidecar/push/webpush/ece.hpp"
#include "sidecar/util/base64url.hpp"

namespace pushsync::push::webpush {
namespace {

std::string b64(std::string_view text) { return base64url_decode(text).value(); }

// RFC 8291 Appendix A: the example message, its keys and salt.
const std::string plaintext = "When I grow up, I want to be a watermelon";
const ReceiverKeys rfc_receiver{
    b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
    b64("BTBZMqHH6r4Tts7J_aSIgg")};
const FixedSender rfc_sender{
    b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
    b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"),
    b64("DGv6ra1nlYgDCS1FRnbzlw")};
const std::string rfc_body =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

TEST(WebPushEncryption, ReproducesTheExampleOfRfc8291ByteForByte) {
  Encryptor encryptor;
  EXPECT_EQ(base64url_encode(encryptor.encrypt(plaintext, rfc_receiver, rfc_sender)), rfc_body);
}

TEST(WebPushEncryption, EveryMessageHasItsOwnSaltAndSenderKey) {
  Encryptor encryptor;
  auto first = encryptor.encrypt(plaintext, rfc_receiver);
  auto second = encryptor.encrypt(plaintext, rfc_receiver);
  ASSERT_EQ(first.size(), rfc_body.size() * 3 / 4);  // 86-byte header + 42 + 16
  EXPECT_NE(first.substr(0, 16), second.substr(0, 16));    // salt
  EXPECT_NE(first.substr(21, 65), second.substr(21, 65));  // sender key
  EXPECT_EQ(first.substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5));  // rs 4096, key id of 65 bytes
}

TEST(WebPushEncryption, RefusesKeysNotOfASubscriptionAndPayloadsAboveTheLimit) {
  Encryptor encryptor;
  ReceiverKeys short_auth{rfc_receiver.p256dh, "0123"};
  EXPECT_THROW(encryptor.encrypt(plaintext, short_auth), std::runtime_error);
  ReceiverKeys off_curve{rfc_receiver.p256dh, rfc_receiver.auth};
  off_curve.p256dh[40] ^= 1;
  EXPECT_FALSE(is_p256_point(off_curve.p256dh));
  EXPECT_THROW(encryptor.encrypt(plaintext, off_curve), std::runtime_error);
  EXPECT_TRUE(is_p256_point(rfc_receiver.p256dh));
  EXPECT_NO_THROW(encryptor.encrypt(std::string(max_plaintext_bytes, 'x'), rfc_receiver));
  EXPECT_THROW(encryptor.encrypt(std::string(max_plaintext_bytes + 1, 'x'), rfc_receiver), std::runtime_error);
  EXPECT_EQ(encryptor.encrypt(std::string(max_plaintext_bytes, 'x'), rfc_receiver).size(), 4096u);
}

}  // namespace
}  // namespace pushsync::push::webpush
