// Tests of the tests' JSON parser.
#include "test/json.h"

#include <gtest/gtest.h>

namespace {

TEST(Json, ScalarsAndContainers) {
    json::Value v =
        json::parse(R"( {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": []} )");
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.size(), 3u);
    const json::Value &a = v["a"];
    ASSERT_EQ(a.size(), 6u);
    EXPECT_EQ(a[0].as_int(), 1);
    EXPECT_DOUBLE_EQ(a[1].as_double(), -2.5);
    EXPECT_EQ(a[2].as_int(), 300);
    EXPECT_TRUE(a[3].as_bool());
    EXPECT_FALSE(a[4].as_bool());
    EXPECT_TRUE(a[5].is_null());
    EXPECT_EQ(v["b"]["c"].as_string(), "d");
    EXPECT_EQ(v["e"].size(), 0u);
    EXPECT_FALSE(v.has("z"));
    EXPECT_THROW(v["z"], std::logic_error);
    EXPECT_THROW(v["b"].as_string(), std::logic_error);
}

TEST(Json, LargeIntegersAreExact) {
    json::Value v = json::parse("[9007199254740993, -9223372036854775808]");
    EXPECT_EQ(v[0].as_int(), 9007199254740993LL);
    EXPECT_EQ(v[1].as_int(), INT64_MIN);
}

TEST(Json, StringEscapes) {
    json::Value v =
        json::parse(R"(["a\"b\\c\/d\b\f\n\r\t", "\u0000\u00ff\u00e9", "\ud83d\ude00", "\u20ac"])");
    EXPECT_EQ(v[0].as_string(), "a\"b\\c/d\b\f\n\r\t");
    EXPECT_EQ(v[1].as_string(), std::string("\0\xc3\xbf\xc3\xa9", 5));
    EXPECT_EQ(v[1].bytes(), std::string("\0\xff\xe9", 3));
    EXPECT_EQ(v[2].as_string(), "\xf0\x9f\x98\x80");
    EXPECT_EQ(v[3].as_string(), "\xe2\x82\xac");
    EXPECT_THROW(v[3].bytes(), std::logic_error);
}

TEST(Json, RejectsMalformedInput) {
    const char *bad[] = {
        "",
        "{",
        "[1,]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "01",
        "1.",
        "-",
        "tru",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "[1] [2]",
        "{1:2}",
        "\"a\tb\"",
        "{\"a\":1,\"a\":2}",
        "nul",
    };
    for (const char *text : bad)
        EXPECT_THROW(json::parse(text), json::ParseError) << text;
}

TEST(Json, DumpRoundTrips) {
    const char *text = R"({"a":[1,"x\ny",null,true],"b":{}})";
    EXPECT_EQ(json::parse(text).dump(), text);
}

} // namespace
