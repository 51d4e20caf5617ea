// The one JSON string escaper (common/json_escape.h), in the forms its callers rely on: engine reports and
// explain/describe goldens, log lines and alert records (UTF-8 kept as it is), detectctl's output (ASCII only,
// byte for byte as Python's json.dumps writes it).
#include "common/json_escape.h"

#include <string>

#include "gtest/gtest.h"

namespace detect {
namespace {

std::string Utf8(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string Ascii(absl::string_view s) {
  std::string out;
  AppendAsciiJsonString(s, &out);
  return out;
}

TEST(JsonEscapeTest, QuotesAndBackslashAreEscaped) {
  EXPECT_EQ(Utf8(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(Ascii(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(Utf8(""), R"("")");
  EXPECT_EQ(Ascii(""), R"("")");
}

TEST(JsonEscapeTest, ControlCharactersUseShortFormsWhereJsonHasThem) {
  // As json.dumps writes them: \b \f \n \r \t, every other control character below 0x20 as \u00XX.
  const std::string controls("\b\f\n\r\t\x01\x1f\x00", 8);
  EXPECT_EQ(Utf8(controls), R"("\b\f\n\r\t\u0001\u001f\u0000")");
  EXPECT_EQ(Ascii(controls), R"("\b\f\n\r\t\u0001\u001f\u0000")");
  // DEL (0x7f) is not a JSON control character.
  EXPECT_EQ(Utf8("\x7f"), "\"\x7f\"");
  EXPECT_EQ(Ascii("\x7f"), "\"\x7f\"");
}

TEST(JsonEscapeTest, PlainTextIsCopied) {
  EXPECT_EQ(Utf8("system:serviceaccount:kube-system/x"), R"("system:serviceaccount:kube-system/x")");
  EXPECT_EQ(Ascii("a/b c"), R"("a/b c")");
}

TEST(JsonEscapeTest, Utf8FormKeepsNonAsciiAsItIs) {
  EXPECT_EQ(Utf8("caf\xc3\xa9 \xf0\x9f\x94\x91"), "\"caf\xc3\xa9 \xf0\x9f\x94\x91\"");
}

TEST(JsonEscapeTest, Utf8FormPassesInvalidUtf8Through) {
  // Strings are validated where they enter (protobuf, simdjson, the YAML reader); the escaper changes nothing.
  EXPECT_EQ(Utf8("a\xff\xc3"), "\"a\xff\xc3\"");
}

TEST(JsonEscapeTest, AsciiFormEscapesCodePointsAsPythonDoes) {
  EXPECT_EQ(Ascii("caf\xc3\xa9"), R"("caf\u00e9")");                 // U+00E9
  EXPECT_EQ(Ascii("\xe2\x82\xac"), R"("\u20ac")");                   // U+20AC
  EXPECT_EQ(Ascii("\xf0\x9f\x94\x91"), R"("\ud83d\udd11")");         // U+1F511: a surrogate pair
}

TEST(JsonEscapeTest, AsciiFormReplacesEachInvalidByte) {
  // A lone continuation byte, a lead byte with no continuation, a sequence cut short at the end.
  EXPECT_EQ(Ascii("a\x80" "b"), R"("a\ufffdb")");
  EXPECT_EQ(Ascii("\xc3" "a"), R"("\ufffda")");
  EXPECT_EQ(Ascii("\xe2\x82"), R"("\ufffd\ufffd")");
}

TEST(JsonEscapeTest, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString("v\n", &out);
  EXPECT_EQ(out, R"({"k":"v\n")");
}

}  // namespace
}  // namespace detect
