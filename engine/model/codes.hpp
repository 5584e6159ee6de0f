#pragma once

// One generic mechanism for the canonical codes of DATA-MODEL.md (a setting, a
// risk grade, a push factor, ...): each code enum specialises CodeTraits with a
// short human name and a table of {value, canonical code}; parse_code,
// try_parse_code, to_code and all_codes work for every such enum.
//
// Table rules (checked at compile time by codes_are_valid, static_asserted
// next to every table): entry i holds the enumerator whose underlying value is
// i (enumerators are 0, 1, 2, ... in table order), and codes are non-empty and
// unique. The table order is the order codes are listed in messages and help.

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace waymark::model {

/// One row of a code table: an enumerator and its canonical code.
template <class E>
struct CodeEntry {
    E value;
    std::string_view code;
};

/// Specialise for each code enum with
///   static constexpr std::string_view name;              // "setting", "risk grade", ...
///   static constexpr std::array<CodeEntry<E>, N> table;  // in enumerator order
template <class E>
struct CodeTraits;

template <class E>
concept CodeEnum = std::is_enum_v<E> && requires {
    { CodeTraits<E>::name } -> std::convertible_to<std::string_view>;
    { CodeTraits<E>::table.size() } -> std::convertible_to<std::size_t>;
    { CodeTraits<E>::table[0].value } -> std::convertible_to<E>;
    { CodeTraits<E>::table[0].code } -> std::convertible_to<std::string_view>;
};

/// True when E's table follows the rules above; static_assert it next to each table.
template <class E>
consteval bool codes_are_valid() {
    const auto& table = CodeTraits<E>::table;
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (static_cast<std::size_t>(table[i].value) != i || table[i].code.empty()) {
            return false;
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (table[j].code == table[i].code) {
                return false;
            }
        }
    }
    return !table.empty();
}

/// The canonical codes of E in table order, with static storage.
template <CodeEnum E>
inline constexpr auto code_list_v = [] {
    std::array<std::string_view, CodeTraits<E>::table.size()> codes{};
    for (std::size_t i = 0; i < codes.size(); ++i) {
        codes[i] = CodeTraits<E>::table[i].code;
    }
    return codes;
}();

/// The short human name of E as used in messages ("setting", "risk grade", ...).
template <CodeEnum E>
constexpr std::string_view code_name() noexcept {
    return CodeTraits<E>::name;
}

/// Every canonical code of E, in table order (for help, docs and messages).
template <CodeEnum E>
constexpr std::span<const std::string_view> all_codes() noexcept {
    return code_list_v<E>;
}

/// Codes joined with ", ": "home, foster_care, childrens_home, ...".
std::string join_codes(std::span<const std::string_view> codes);

/// The codes of E joined with ", " (as listed in validation messages).
template <CodeEnum E>
std::string joined_codes() {
    return join_codes(all_codes<E>());
}

namespace detail {

/// Throws InputError "unknown <name> '<text>' (expected one of: <codes>)".
[[noreturn]] void throw_unknown_code(std::string_view name, std::string_view text,
                                     std::span<const std::string_view> codes);

} // namespace detail

/// The canonical code of value; an empty view only for a value outside the
/// table (which only a cast can produce).
template <CodeEnum E>
constexpr std::string_view to_code(E value) noexcept {
    const auto index = static_cast<std::size_t>(value);
    const auto& table = CodeTraits<E>::table;
    return index < table.size() ? table[index].code : std::string_view{};
}

/// The enumerator whose canonical code equals text exactly (case-sensitive, no
/// trimming), or nullopt.
template <CodeEnum E>
constexpr std::optional<E> try_parse_code(std::string_view text) noexcept {
    for (const auto& entry : CodeTraits<E>::table) {
        if (entry.code == text) {
            return entry.value;
        }
    }
    return std::nullopt;
}

/// Like try_parse_code, but throws waymark::InputError for an unknown code:
///   unknown setting 'fostr_care' (expected one of: home, foster_care, ...)
/// Empty text is unknown too; callers treat empty as "not given" beforehand.
template <CodeEnum E>
E parse_code(std::string_view text) {
    if (const auto value = try_parse_code<E>(text)) {
        return *value;
    }
    detail::throw_unknown_code(code_name<E>(), text, all_codes<E>());
}

} // namespace waymark::model
