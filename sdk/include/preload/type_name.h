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

// The spelling is written through a sink, so that one algorithm serves the
// compiler (counting, then filling a fixed array: the constant a plugin
// records in its file) and the host at run time (a std::string).
struct SizeCounter {
  std::size_t size = 0;
  constexpr void Put(char) { ++size; }
  constexpr void Put(std::string_view text) { size += text.size(); }
};
struct CharWriter {
  char* out;
  std::size_t size = 0;
  constexpr void Put(char c) { out[size++] = c; }
  constexpr void Put(std::string_view text) {
    for (char c : text) Put(c);
  }
};
struct StringWriter {
  std::string* out;
  void Put(char c) { out->push_back(c); }
  void Put(std::string_view text) { out->append(text.data(), text.size()); }
};

// A NUL-terminated string of at most N characters, usable as a constant.
template <std::size_t N>
struct FixedString {
  char data[N + 1] = {};
  std::size_t size = 0;
  constexpr std::string_view view() const { return {data, size}; }
};

constexpr bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

// Keeps a space only between two identifier characters.
template <typename Out>
constexpr void StripSpaces(std::string_view s, Out& out) {
  char last = '\0';
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != ' ') {
      out.Put(s[i]);
      last = s[i];
    } else if (IsIdentifierChar(last) && i + 1 < s.size() &&
               IsIdentifierChar(s[i + 1])) {
      out.Put(' ');
      last = ' ';
    }
  }
}

// Standard-library inline namespaces removed, the anonymous namespace spelled
// one way. One left-to-right pass; a replacement's output is not rescanned.
template <typename Out>
constexpr void ReplaceCompilerNames(std::string_view s, Out& out) {
  constexpr std::string_view kFrom[] = {"std::__cxx11::", "std::__1::",
                                        "{anonymous}"};
  constexpr std::string_view kTo[] = {"std::", "std::",
                                      "(anonymous namespace)"};
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    for (std::size_t k = 0; k < 3 && !replaced; ++k) {
      if (s.substr(i, kFrom[k].size()) == kFrom[k]) {
        out.Put(kTo[k]);
        i += kFrom[k].size();
        replaced = true;
      }
    }
    if (!replaced) out.Put(s[i++]);
  }
}

// Turns a compiler's spelling of a class or enum into the SDK's canonical one:
// spaces only between two identifier characters, standard-library inline
// namespaces removed, the anonymous namespace spelled one way. Inline because
// plugins use it without linking the SDK library.
inline std::string Normalize(std::string_view compiler_spelling) {
  std::string stripped;
  StringWriter strip{&stripped};
  StripSpaces(compiler_spelling, strip);
  std::string out;
  StringWriter replace{&out};
  ReplaceCompilerNames(stripped, replace);
  return out;
}

// The compiler's own spelling of T, cut out of __PRETTY_FUNCTION__:
// GCC writes "... [with T = X]", Clang "... [T = X]". The return type is a
// plain pointer so that GCC adds no "; alias = ..." after X.
template <typename T>
constexpr const char* PrettyFunction() {
  return __PRETTY_FUNCTION__;
}

template <typename T>
constexpr std::string_view CompilerSpelling() {
  const std::string_view pretty = PrettyFunction<T>();
  const std::size_t begin = pretty.find("T = ");
  const std::size_t end = std::min(pretty.find(';', begin), pretty.rfind(']'));
  if (begin == std::string_view::npos || end == std::string_view::npos ||
      end < begin + 4) {
    return pretty;
  }
  return pretty.substr(begin + 4, end - begin - 4);
}

// Normalize(CompilerSpelling<T>()) as a constant. Replacing "{anonymous}"
// can at most double the length.
template <typename T>
constexpr auto NormalizedCompilerSpelling() {
  constexpr std::string_view kRaw = CompilerSpelling<T>();
  FixedString<kRaw.size()> stripped{};
  CharWriter strip{stripped.data};
  StripSpaces(kRaw, strip);
  stripped.size = strip.size;
  FixedString<2 * kRaw.size()> out{};
  CharWriter replace{out.data};
  ReplaceCompilerNames(stripped.view(), replace);
  out.size = replace.size;
  return out;
}
template <typename T>
inline constexpr auto kNormalizedCompilerSpelling =
    NormalizedCompilerSpelling<T>();

// Writes nothing: the declarator of a type spelled on its own.
struct NoDeclarator {
  template <typename Out>
  constexpr void operator()(Out&) const {}
};

// Spell<T>::Append(out, declarator) writes T wrapped around `declarator`, a
// callable writing the part of a C++ declaration that sits to the right of
// the type's name ("*", "&", "(*)(int)", ...). Primary template: a class or
// enum type.
template <typename T, typename = void>
struct Spell {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    out.Put(kNormalizedCompilerSpelling<T>.view());
    declarator(out);
  }
};

template <typename T, typename Out, typename D = NoDeclarator>
constexpr void AppendType(Out& out, const D& declarator = {}) {
  Spell<T>::Append(out, declarator);
}

// Types whose spelling is fixed by the SDK rather than by the compiler.
#define PRELOAD_FIXED_SPELLING(type, spelling)                   \
  template <>                                                   \
  struct Spell<type> {                                          \
    template <typename Out, typename D>                         \
    static constexpr void Append(Out& out, const D& declarator) { \
      out.Put(spelling);                                        \
      declarator(out);                                          \
    }                                                           \
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
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    if (std::is_const_v<T>) out.Put("const ");
    if (std::is_volatile_v<T>) out.Put("volatile ");
    AppendType<std::remove_cv_t<T>>(out, declarator);
  }
};
template <typename T>
struct Spell<T* const> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendType<T*>(out, [&](auto& o) {
      o.Put(" const");
      declarator(o);
    });
  }
};

// Pointers and references wrap the declarator; around a function or an array
// the result needs parentheses: void(*)(int), int(&)[4].
template <typename T, typename Out, typename D>
constexpr void AppendWrapped(Out& out, std::string_view op,
                             const D& declarator) {
  constexpr bool kParenthesize = std::is_function_v<T> || std::is_array_v<T>;
  AppendType<T>(out, [&](auto& o) {
    if (kParenthesize) o.Put('(');
    o.Put(op);
    declarator(o);
    if (kParenthesize) o.Put(')');
  });
}
template <typename T>
struct Spell<T*> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendWrapped<T>(out, "*", declarator);
  }
};
template <typename T>
struct Spell<T&> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendWrapped<T>(out, "&", declarator);
  }
};
template <typename T>
struct Spell<T&&> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendWrapped<T>(out, "&&", declarator);
  }
};

template <typename Out>
constexpr void AppendNumber(Out& out, std::size_t n) {
  if (n >= 10) AppendNumber(out, n / 10);
  out.Put(static_cast<char>('0' + n % 10));
}
template <typename T, std::size_t N>
struct Spell<T[N]> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendType<T>(out, [&](auto& o) {
      declarator(o);
      o.Put('[');
      AppendNumber(o, N);
      o.Put(']');
    });
  }
};

template <typename... Args, typename Out>
constexpr void AppendParameterList(Out& out) {
  out.Put('(');
  bool first = true;
  ((first ? void() : out.Put(", "), first = false, AppendType<Args>(out)),
   ...);
  out.Put(')');
}
template <typename R, typename... Args>
struct Spell<R(Args...)> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendType<R>(out, [&](auto& o) {
      declarator(o);
      AppendParameterList<Args...>(o);
    });
  }
};
template <typename R, typename... Args>
struct Spell<R(Args...) noexcept> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendType<R>(out, [&](auto& o) {
      declarator(o);
      AppendParameterList<Args...>(o);
      o.Put(" noexcept");
    });
  }
};

// Standard templates with their default arguments, spelled the same by every
// compiler and standard library.
template <typename T, typename Out, typename D>
constexpr void AppendTemplate(Out& out, std::string_view name,
                              const D& declarator) {
  out.Put(name);
  out.Put('<');
  AppendType<T>(out);
  out.Put('>');
  declarator(out);
}
template <typename T>
struct Spell<std::vector<T>> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendTemplate<T>(out, "std::vector", declarator);
  }
};
template <typename T>
struct Spell<std::unique_ptr<T>> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendTemplate<T>(out, "std::unique_ptr", declarator);
  }
};
template <typename T>
struct Spell<std::shared_ptr<T>> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendTemplate<T>(out, "std::shared_ptr", declarator);
  }
};
template <typename Signature>
struct Spell<std::function<Signature>> {
  template <typename Out, typename D>
  static constexpr void Append(Out& out, const D& declarator) {
    AppendTemplate<Signature>(out, "std::function", declarator);
  }
};

template <typename T>
constexpr std::size_t SpellingSize() {
  SizeCounter counter;
  AppendType<T>(counter);
  return counter.size;
}
template <typename T>
constexpr FixedString<SpellingSize<T>()> Spelling() {
  FixedString<SpellingSize<T>()> spelling{};
  CharWriter writer{spelling.data};
  AppendType<T>(writer);
  spelling.size = writer.size;
  return spelling;
}
template <typename T>
inline constexpr FixedString<SpellingSize<T>()> kSpelling = Spelling<T>();

}  // namespace type_name_internal

// The canonical spelling of T as a compile-time constant: what a plugin
// records for each export in its file (<preload/plugin.h>), and what
// TypeName<T>() returns. NUL-terminated.
template <typename T>
inline constexpr std::string_view kTypeName =
    type_name_internal::kSpelling<T>.view();

// The canonical spelling of T, as a string; made once per type.
template <typename T>
const std::string& TypeName() {
  static const std::string* const spelling = new std::string(kTypeName<T>);
  return *spelling;
}

}  // namespace preload

#endif  // PRELOAD_TYPE_NAME_H_
