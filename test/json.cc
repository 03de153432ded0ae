#include "test/json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace json {

Value Value::make_bool(bool b) {
    Value v;
    v.type_ = Type::Bool;
    v.bool_ = b;
    return v;
}

Value Value::make_number(double d, const std::string &text) {
    Value v;
    v.type_ = Type::Number;
    v.number_ = d;
    v.text_ = text;
    return v;
}

Value Value::make_string(std::string s) {
    Value v;
    v.type_ = Type::String;
    v.text_ = std::move(s);
    return v;
}

Value Value::make_array(std::vector<Value> items) {
    Value v;
    v.type_ = Type::Array;
    v.array_ = std::make_shared<std::vector<Value>>(std::move(items));
    return v;
}

Value Value::make_object(std::map<std::string, Value> members) {
    Value v;
    v.type_ = Type::Object;
    v.object_ = std::make_shared<std::map<std::string, Value>>(std::move(members));
    return v;
}

static void expect_type(bool ok, const char *what, const Value &v) {
    if (!ok)
        throw std::logic_error(std::string("JSON value is not ") + what + ": " + v.dump());
}

bool Value::as_bool() const {
    expect_type(is_bool(), "a bool", *this);
    return bool_;
}

double Value::as_double() const {
    expect_type(is_number(), "a number", *this);
    return number_;
}

int64_t Value::as_int() const {
    expect_type(is_number(), "a number", *this);
    if (text_.find_first_of(".eE") == std::string::npos) {
        errno = 0;
        long long n = std::strtoll(text_.c_str(), nullptr, 10);
        if (errno == 0)
            return n;
    }
    if (std::floor(number_) != number_)
        throw std::logic_error("JSON number is not an integer: " + text_);
    return static_cast<int64_t>(number_);
}

const std::string &Value::as_string() const {
    expect_type(is_string(), "a string", *this);
    return text_;
}

const std::vector<Value> &Value::as_array() const {
    expect_type(is_array(), "an array", *this);
    return *array_;
}

const std::map<std::string, Value> &Value::as_object() const {
    expect_type(is_object(), "an object", *this);
    return *object_;
}

bool Value::has(const std::string &key) const {
    return is_object() && object_->count(key) != 0;
}

const Value &Value::operator[](const std::string &key) const {
    const auto &members = as_object();
    auto it = members.find(key);
    if (it == members.end())
        throw std::logic_error("JSON object has no member \"" + key + "\": " + dump());
    return it->second;
}

const Value &Value::operator[](size_t i) const {
    const auto &items = as_array();
    if (i >= items.size())
        throw std::logic_error("JSON array index out of range: " + dump());
    return items[i];
}

size_t Value::size() const {
    if (is_array())
        return array_->size();
    if (is_object())
        return object_->size();
    throw std::logic_error("JSON value has no size: " + dump());
}

std::string Value::bytes() const {
    const std::string &s = as_string();
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
            unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            if (cp > 0xFF)
                throw std::logic_error("JSON string has a code point above U+00FF");
            out += static_cast<char>(cp);
            i++;
        } else {
            throw std::logic_error("JSON string has a code point above U+00FF");
        }
    }
    return out;
}

static void dump_string(const std::string &s, std::string *out) {
    *out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            *out += "\\\"";
            break;
        case '\\':
            *out += "\\\\";
            break;
        case '\n':
            *out += "\\n";
            break;
        case '\t':
            *out += "\\t";
            break;
        case '\r':
            *out += "\\r";
            break;
        default:
            if (c < 0x20) {
                char buf[8];
                snprintf(buf, sizeof buf, "\\u%04x", c);
                *out += buf;
            } else {
                *out += static_cast<char>(c);
            }
        }
    }
    *out += '"';
}

static void dump_value(const Value &v, std::string *out) {
    switch (v.type()) {
    case Value::Type::Null:
        *out += "null";
        break;
    case Value::Type::Bool:
        *out += v.as_bool() ? "true" : "false";
        break;
    case Value::Type::Number: {
        std::ostringstream os;
        os.precision(17);
        os << v.as_double();
        *out += os.str();
        break;
    }
    case Value::Type::String:
        dump_string(v.as_string(), out);
        break;
    case Value::Type::Array: {
        *out += '[';
        bool first = true;
        for (const Value &item : v.as_array()) {
            if (!first)
                *out += ',';
            first = false;
            dump_value(item, out);
        }
        *out += ']';
        break;
    }
    case Value::Type::Object: {
        *out += '{';
        bool first = true;
        for (const auto &kv : v.as_object()) {
            if (!first)
                *out += ',';
            first = false;
            dump_string(kv.first, out);
            *out += ':';
            dump_value(kv.second, out);
        }
        *out += '}';
        break;
    }
    }
}

std::string Value::dump() const {
    std::string out;
    dump_value(*this, &out);
    return out;
}

namespace {

class Parser {
  public:
    explicit Parser(const std::string &text) : s_(text) {}

    Value parse_document() {
        skip_ws();
        Value v = parse_value(0);
        skip_ws();
        if (pos_ != s_.size())
            fail("trailing characters");
        return v;
    }

  private:
    static constexpr int kMaxDepth = 200;

    [[noreturn]] void fail(const std::string &why) const {
        std::ostringstream os;
        os << "JSON parse error at offset " << pos_ << ": " << why;
        throw ParseError(os.str());
    }

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }

    void skip_ws() {
        while (!at_end() &&
               (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            pos_++;
    }

    void expect(char c) {
        if (peek() != c || at_end())
            fail(std::string("expected '") + c + "'");
        pos_++;
    }

    void expect_word(const char *word) {
        for (const char *p = word; *p; p++) {
            if (at_end() || s_[pos_] != *p)
                fail(std::string("expected ") + word);
            pos_++;
        }
    }

    Value parse_value(int depth) {
        if (depth > kMaxDepth)
            fail("nesting too deep");
        if (at_end())
            fail("unexpected end of input");
        char c = peek();
        switch (c) {
        case '{':
            return parse_object(depth);
        case '[':
            return parse_array(depth);
        case '"':
            return Value::make_string(parse_string());
        case 't':
            expect_word("true");
            return Value::make_bool(true);
        case 'f':
            expect_word("false");
            return Value::make_bool(false);
        case 'n':
            expect_word("null");
            return Value();
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return parse_number();
            fail(std::string("unexpected character '") + c + "'");
        }
    }

    Value parse_object(int depth) {
        expect('{');
        std::map<std::string, Value> members;
        skip_ws();
        if (peek() == '}') {
            pos_++;
            return Value::make_object(std::move(members));
        }
        for (;;) {
            skip_ws();
            if (peek() != '"')
                fail("expected a member name");
            std::string key = parse_string();
            skip_ws();
            expect(':');
            skip_ws();
            Value v = parse_value(depth + 1);
            if (members.count(key))
                fail("duplicate member \"" + key + "\"");
            members.emplace(std::move(key), std::move(v));
            skip_ws();
            if (peek() == ',') {
                pos_++;
                continue;
            }
            expect('}');
            return Value::make_object(std::move(members));
        }
    }

    Value parse_array(int depth) {
        expect('[');
        std::vector<Value> items;
        skip_ws();
        if (peek() == ']') {
            pos_++;
            return Value::make_array(std::move(items));
        }
        for (;;) {
            skip_ws();
            items.push_back(parse_value(depth + 1));
            skip_ws();
            if (peek() == ',') {
                pos_++;
                continue;
            }
            expect(']');
            return Value::make_array(std::move(items));
        }
    }

    unsigned parse_hex4() {
        if (pos_ + 4 > s_.size())
            fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; i++) {
            char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                fail("bad hex digit in \\u escape");
        }
        return v;
    }

    static void append_utf8(unsigned cp, std::string *out) {
        if (cp < 0x80) {
            *out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            *out += static_cast<char>(0xC0 | (cp >> 6));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *out += static_cast<char>(0xE0 | (cp >> 12));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            *out += static_cast<char>(0xF0 | (cp >> 18));
            *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            *out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::string parse_string() {
        expect('"');
        std::string out;
        for (;;) {
            if (at_end())
                fail("unterminated string");
            unsigned char c = static_cast<unsigned char>(s_[pos_++]);
            if (c == '"')
                return out;
            if (c < 0x20)
                fail("control character in string");
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (at_end())
                fail("unterminated escape");
            char e = s_[pos_++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = parse_hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
                        fail("lone high surrogate");
                    pos_ += 2;
                    unsigned lo = parse_hex4();
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        fail("bad low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail("lone low surrogate");
                }
                append_utf8(cp, &out);
                break;
            }
            default:
                fail(std::string("bad escape \\") + e);
            }
        }
    }

    Value parse_number() {
        size_t start = pos_;
        if (peek() == '-')
            pos_++;
        if (peek() == '0') {
            pos_++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9')
                pos_++;
        } else {
            fail("bad number");
        }
        if (peek() == '.') {
            pos_++;
            if (!(peek() >= '0' && peek() <= '9'))
                fail("bad fraction");
            while (peek() >= '0' && peek() <= '9')
                pos_++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos_++;
            if (peek() == '+' || peek() == '-')
                pos_++;
            if (!(peek() >= '0' && peek() <= '9'))
                fail("bad exponent");
            while (peek() >= '0' && peek() <= '9')
                pos_++;
        }
        std::string text = s_.substr(start, pos_ - start);
        return Value::make_number(std::strtod(text.c_str(), nullptr), text);
    }

    const std::string &s_;
    size_t pos_ = 0;
};

} // namespace

Value parse(const std::string &text) {
    return Parser(text).parse_document();
}

} // namespace json
