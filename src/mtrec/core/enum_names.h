// One table per enum of the names that flags, checkpoints and reports spell
// its values with, instead of a switch to print and a loop to parse each.
//
//   constexpr EnumName<Color> kColorNames[] = {{Color::kRed, "red"}, {Color::kBlue, "blue"}};
//   NameOf(kColorNames, Color::kRed)    -> "red"
//   ValueNamed(kColorNames, "blue")     -> Color::kBlue (nullopt for an unknown name)
//   NameChoices(kColorNames)            -> "red or blue" (for error messages)
//   ParseNamed(kColorNames, "pink", "--color")
//                                       -> InvalidArgument "--color: expected red or blue, got
//                                       'pink'"
//
// A table lives beside its enum (inline constexpr in the enum's header), so
// that flags, files and reports all spell the values from it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

// The name of `value`, or "?" if the table lacks it.
template <class E, size_t N>
constexpr const char* NameOf(const EnumName<E> (&names)[N], E value) {
  for (const EnumName<E>& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

template <class E, size_t N>
constexpr std::optional<E> ValueNamed(const EnumName<E> (&names)[N], std::string_view name) {
  for (const EnumName<E>& n : names) {
    if (name == n.name) return n.value;
  }
  return std::nullopt;
}

// "a, b or c".
template <class E, size_t N>
std::string NameChoices(const EnumName<E> (&names)[N]) {
  std::string out;
  for (size_t k = 0; k < N; ++k) {
    if (k > 0) out += k + 1 == N ? " or " : ", ";
    out += names[k].name;
  }
  return out;
}

// The value named `name`, or InvalidArgument naming `what` (the flag or key
// that gave the name) with the choices.
template <class E, size_t N>
Result<E> ParseNamed(const EnumName<E> (&names)[N], std::string_view name, std::string_view what) {
  if (std::optional<E> value = ValueNamed(names, name)) return *value;
  return Status::InvalidArgument(std::string(what) + ": expected " + NameChoices(names) +
                                 ", got '" + std::string(name) + "'");
}

}  // namespace mtrec
