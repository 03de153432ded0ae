// A small JSON parser for the tests: objects, arrays, strings (with \u
// escapes, surrogate pairs included), numbers, true, false, null.
//
// Strings are stored as UTF-8.  The trace dump writes one captured byte as one
// code point (U+0000..U+00FF); Value::bytes() turns such a string back into
// the raw bytes.
#ifndef PIPETRACE_TEST_JSON_H
#define PIPETRACE_TEST_JSON_H

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace json {

class ParseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Value {
  public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    Value() = default; // null
    static Value make_bool(bool b);
    static Value make_number(double d, const std::string &text);
    static Value make_string(std::string s);
    static Value make_array(std::vector<Value> items);
    static Value make_object(std::map<std::string, Value> members);

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    // Accessors throw std::logic_error on a type mismatch, so a test that reads
    // a field of the wrong type fails loudly instead of reading garbage.
    bool as_bool() const;
    double as_double() const;
    int64_t as_int() const; // exact for integers written without '.'/'e'
    const std::string &as_string() const;
    const std::vector<Value> &as_array() const;
    const std::map<std::string, Value> &as_object() const;

    // Object member access.  has() is false for non-objects.
    bool has(const std::string &key) const;
    const Value &operator[](const std::string &key) const; // throws if absent
    // Array element access.
    const Value &operator[](size_t i) const;
    size_t size() const; // array or object size

    // A string whose code points are all <= 0xFF, as raw bytes (one code point
    // = one byte).  Throws if a code point is larger.
    std::string bytes() const;

    // Compact JSON text (for failure messages).
    std::string dump() const;

  private:
    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0;
    std::string text_; // number text as written, or the string value
    std::shared_ptr<std::vector<Value>> array_;
    std::shared_ptr<std::map<std::string, Value>> object_;
};

// Parses exactly one JSON value (surrounding whitespace allowed).
Value parse(const std::string &text);

} // namespace json

#endif // PIPETRACE_TEST_JSON_H
