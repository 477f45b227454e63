// Stable names of enum values, from a table of (value, name) pairs. Header-only; pure.
#ifndef ODR_SERVER_DOMAIN_ENUM_NAMES_H_
#define ODR_SERVER_DOMAIN_ENUM_NAMES_H_

#include <array>
#include <optional>
#include <utility>

#include "absl/strings/string_view.h"

namespace odr::domain {

// The name of `v` in `table`, or "unknown".
template <typename E, size_t N>
const char* NameIn(const std::array<std::pair<E, const char*>, N>& table, E v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "unknown";
}

// The value named `n` in `table`, if any.
template <typename E, size_t N>
std::optional<E> ValueIn(const std::array<std::pair<E, const char*>, N>& table,
                         absl::string_view n) {
  for (const auto& [value, name] : table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_ENUM_NAMES_H_
