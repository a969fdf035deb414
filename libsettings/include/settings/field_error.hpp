#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace settings {

/// One reason an update was refused: the dotted path of the field in the request
/// body (`ai.temperature`, `board_display_config.column_order[0]`) and a sentence.
struct FieldError {
    std::string field;
    std::string message;

    friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

/// Appends `more` to `errors` with each path placed under `prefix`
/// (`ai.model` under `users[2]` is `users[2].ai.model`).
inline void append_prefixed(FieldErrors& errors, const std::string& prefix,
                            const FieldErrors& more) {
    for (const auto& e : more) {
        errors.push_back({e.field.empty() ? prefix : prefix + "." + e.field, e.message});
    }
}

/// Either a value or the complete list of field errors that prevented it.
/// Validation failures are expected outcomes, so they are values, not exceptions.
template <typename T>
class Outcome {
  public:
    Outcome(T value) : state_(std::move(value)) {}              // NOLINT: implicit by design
    Outcome(FieldErrors errors) : state_(std::move(errors)) {}  // NOLINT: implicit by design

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    /// Only valid when `ok()`.
    [[nodiscard]] const T& value() const& { return std::get<T>(state_); }
    [[nodiscard]] T&& value() && { return std::get<T>(std::move(state_)); }
    /// Only valid when `!ok()`.
    [[nodiscard]] const FieldErrors& errors() const { return std::get<FieldErrors>(state_); }

  private:
    std::variant<T, FieldErrors> state_;
};

}  // namespace settings
