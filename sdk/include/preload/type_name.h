// Copyright the PreloadSDK authors.
//
// preload/type_name.h — a readable, compiler-independent spelling of a C++
// type, without RTTI.
//
// `TypeName<T>()` spells T the way a person writes it:
//
//   preload::TypeName<std::string(const std::string&)>()
//       == "std::string(const std::string&)"
//   preload::TypeName<void (*)(int) noexcept>() == "void(*)(int) noexcept"
//
// Plugins record the spelling of each export; `Plugin::Lookup<T>` compares it
// with the spelling of the T the host asks for, so `const`, references and the
// calling shape must match exactly. Fundamental types, pointers, references,
// arrays, functions and the common standard types are spelled structurally and
// so agree between GCC and Clang; other class and enum types come from the
// compiler's own spelling, normalised (see docs/fingerprint.md).
#ifndef PRELOAD_TYPE_NAME_H_
#define PRELOAD_TYPE_NAME_H_

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace preload {
namespace type_name_internal {

inline bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

inline void ReplaceAll(std::string& text, std::string_view from,
                       std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Turns a compiler's spelling of a class or enum into the SDK's canonical one:
// spaces only between two identifier characters, standard-library inline
// namespaces removed, the anonymous namespace spelled one way. Inline because
// plugins use it without linking the SDK library.
inline std::string Normalize(std::string_view compiler_spelling) {
  std::string out;
  const std::string_view s = compiler_spelling;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') {
      out += s[i];
    } else if (!out.empty() && IsIdentifierChar(out.back()) &&
               i + 1 < s.size() && IsIdentifierChar(s[i + 1])) {
      out += ' ';
    }
  }
  ReplaceAll(out, "std::__cxx11::", "std::");
  ReplaceAll(out, "std::__1::", "std::");
  ReplaceAll(out, "{anonymous}", "(anonymous namespace)");
  return out;
}

// The compiler's own spelling of T, cut out of __PRETTY_FUNCTION__:
// GCC writes "... [with T = X]", Clang "... [T = X]". The return type is a
// plain pointer so that GCC adds no "; alias = ..." after X.
template <typename T>
const char* PrettyFunction() {
  return __PRETTY_FUNCTION__;
}

template <typename T>
std::string_view CompilerSpelling() {
  const std::string_view pretty = PrettyFunction<T>();
  const std::size_t begin = pretty.find("T = ");
  const std::size_t end = std::min(pretty.find(';', begin), pretty.rfind(']'));
  if (begin == std::string_view::npos || end == std::string_view::npos ||
      end < begin + 4) {
    return pretty;
  }
  return pretty.substr(begin + 4, end - begin - 4);
}

// Spell<T>::Append(out, declarator) appends T wrapped around `declarator`,
// the part of a C++ declaration that sits to the right of the type's name
// ("*", "&", "(*)(int)", ...). Primary template: a class or enum type.
template <typename T, typename = void>
struct Spell {
  static void Append(std::string& out, const std::string& declarator) {
    out += Normalize(CompilerSpelling<T>());
    out += declarator;
  }
};

template <typename T>
void AppendType(std::string& out, const std::string& declarator = {}) {
  Spell<T>::Append(out, declarator);
}

// Types whose spelling is fixed by the SDK rather than by the compiler.
#define PRELOAD_FIXED_SPELLING(type, spelling)                              \
  template <>                                                              \
  struct Spell<type> {                                                     \
    static void Append(std::string& out, const std::string& declarator) { \
      out += spelling;                                                     \
      out += declarator;                                                   \
    }                                                                      \
  }
PRELOAD_FIXED_SPELLING(void, "void");
PRELOAD_FIXED_SPELLING(bool, "bool");
PRELOAD_FIXED_SPELLING(char, "char");
PRELOAD_FIXED_SPELLING(signed char, "signed char");
PRELOAD_FIXED_SPELLING(unsigned char, "unsigned char");
PRELOAD_FIXED_SPELLING(wchar_t, "wchar_t");
PRELOAD_FIXED_SPELLING(char16_t, "char16_t");
PRELOAD_FIXED_SPELLING(char32_t, "char32_t");
PRELOAD_FIXED_SPELLING(short, "short");
PRELOAD_FIXED_SPELLING(unsigned short, "unsigned short");
PRELOAD_FIXED_SPELLING(int, "int");
PRELOAD_FIXED_SPELLING(unsigned int, "unsigned int");
PRELOAD_FIXED_SPELLING(long, "long");
PRELOAD_FIXED_SPELLING(unsigned long, "unsigned long");
PRELOAD_FIXED_SPELLING(long long, "long long");
PRELOAD_FIXED_SPELLING(unsigned long long, "unsigned long long");
PRELOAD_FIXED_SPELLING(float, "float");
PRELOAD_FIXED_SPELLING(double, "double");
PRELOAD_FIXED_SPELLING(long double, "long double");
PRELOAD_FIXED_SPELLING(std::nullptr_t, "std::nullptr_t");
PRELOAD_FIXED_SPELLING(std::string, "std::string");
PRELOAD_FIXED_SPELLING(std::string_view, "std::string_view");
#undef PRELOAD_FIXED_SPELLING

// `const` and `volatile` go before a named type and after a '*'.
template <typename T>
constexpr bool kIsNamed = !std::is_pointer_v<T> && !std::is_reference_v<T> &&
                          !std::is_function_v<T> && !std::is_array_v<T> &&
                          !std::is_member_pointer_v<T>;

template <typename T>
struct Spell<T, std::enable_if_t<kIsNamed<T> &&
                                 !std::is_same_v<T, std::remove_cv_t<T>>>> {
  static void Append(std::string& out, const std::string& declarator) {
    if (std::is_const_v<T>) out += "const ";
    if (std::is_volatile_v<T>) out += "volatile ";
    AppendType<std::remove_cv_t<T>>(out, declarator);
  }
};
template <typename T>
struct Spell<T* const> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<T*>(out, " const" + declarator);
  }
};

// Pointers and references wrap the declarator; around a function or an array
// the result needs parentheses: void(*)(int), int(&)[4].
template <typename T>
std::string Wrap(const char* op, const std::string& declarator) {
  if (std::is_function_v<T> || std::is_array_v<T>) {
    return std::string("(") + op + declarator + ")";
  }
  return op + declarator;
}
template <typename T>
struct Spell<T*> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<T>(out, Wrap<T>("*", declarator));
  }
};
template <typename T>
struct Spell<T&> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<T>(out, Wrap<T>("&", declarator));
  }
};
template <typename T>
struct Spell<T&&> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<T>(out, Wrap<T>("&&", declarator));
  }
};
template <typename T, std::size_t N>
struct Spell<T[N]> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<T>(out, declarator + "[" + std::to_string(N) + "]");
  }
};

template <typename... Args>
std::string ParameterList() {
  std::string list = "(";
  bool first = true;
  ((list += first ? "" : ", ", first = false, AppendType<Args>(list)), ...);
  return list + ")";
}
template <typename R, typename... Args>
struct Spell<R(Args...)> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<R>(out, declarator + ParameterList<Args...>());
  }
};
template <typename R, typename... Args>
struct Spell<R(Args...) noexcept> {
  static void Append(std::string& out, const std::string& declarator) {
    AppendType<R>(out, declarator + ParameterList<Args...>() + " noexcept");
  }
};

// Standard templates with their default arguments, spelled the same by every
// compiler and standard library.
template <typename T>
struct Spell<std::vector<T>> {
  static void Append(std::string& out, const std::string& declarator) {
    out += "std::vector<";
    AppendType<T>(out);
    out += ">" + declarator;
  }
};
template <typename T>
struct Spell<std::unique_ptr<T>> {
  static void Append(std::string& out, const std::string& declarator) {
    out += "std::unique_ptr<";
    AppendType<T>(out);
    out += ">" + declarator;
  }
};
template <typename T>
struct Spell<std::shared_ptr<T>> {
  static void Append(std::string& out, const std::string& declarator) {
    out += "std::shared_ptr<";
    AppendType<T>(out);
    out += ">" + declarator;
  }
};
template <typename Signature>
struct Spell<std::function<Signature>> {
  static void Append(std::string& out, const std::string& declarator) {
    out += "std::function<";
    AppendType<Signature>(out);
    out += ">" + declarator;
  }
};

}  // namespace type_name_internal

// The canonical spelling of T; computed once per type.
template <typename T>
const std::string& TypeName() {
  static const std::string* const spelling = [] {
    auto* s = new std::string;
    type_name_internal::AppendType<T>(*s);
    return s;
  }();
  return *spelling;
}

}  // namespace preload

#endif  // PRELOAD_TYPE_NAME_H_
