#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace settings {

/// Why a field was refused, as a stable machine code that clients map to their
/// own sentences (the message is for people reading the API directly).
enum class ErrorCode {
    required,       ///< missing, or empty where a value is needed
    unknown_field,  ///< the key is not part of the document
    wrong_type,     ///< a JSON type the field cannot take
    out_of_range,   ///< a number outside [min, max]
    too_long,       ///< longer than max characters (or entries)
    bad_format,     ///< text that is not of the field's form (owner/repo, a login, UTF-8)
    not_allowed,    ///< not one of `allowed`
    duplicate,      ///< repeats an earlier entry
    quota,          ///< would exceed a per-user limit (max)
};

/// The code as it appears in the API (`"out_of_range"`).
std::string_view to_string(ErrorCode code);

/// One reason an update was refused: the dotted path of the field in the request
/// body (`ai.temperature`, `board_display_config.column_order[0]`), a code, a
/// sentence, and the limits the code refers to where there are any.
struct FieldError {
    std::string field;
    ErrorCode code = ErrorCode::bad_format;
    std::string message;
    std::optional<double> min{};
    std::optional<double> max{};
    std::vector<std::string> allowed{};

    friend bool operator==(const FieldError&, const FieldError&) = default;
};

using FieldErrors = std::vector<FieldError>;

/// Appends `more` to `errors` with each path placed under `prefix`
/// (`ai.model` under `users[2]` is `users[2].ai.model`).
inline void append_prefixed(FieldErrors& errors, const std::string& prefix,
                            const FieldErrors& more) {
    for (const auto& e : more) {
        auto& placed = errors.emplace_back(e);
        placed.field = e.field.empty() ? prefix : prefix + "." + e.field;
    }
}

/// Either a value or the complete list of field errors that prevented it.
/// Validation failures are expected outcomes, so they are values, not exceptions.
/// A conditional update whose expected revisions were not the stored ones is a
/// conflict: nothing was written, and the value is the current view.
template <typename T>
class Outcome {
  public:
    Outcome(T value) : state_(std::move(value)) {}              // NOLINT: implicit by design
    Outcome(FieldErrors errors) : state_(std::move(errors)) {}  // NOLINT: implicit by design

    static Outcome conflict(T current) {
        Outcome outcome(std::move(current));
        outcome.conflict_ = true;
        return outcome;
    }

    [[nodiscard]] bool ok() const { return std::holds_alternative<T>(state_) && !conflict_; }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] bool conflicted() const { return conflict_; }

    /// Valid when `ok()` (the result) or `conflicted()` (the current view).
    [[nodiscard]] const T& value() const& { return std::get<T>(state_); }
    [[nodiscard]] T&& value() && { return std::get<T>(std::move(state_)); }
    /// Valid when neither `ok()` nor `conflicted()`.
    [[nodiscard]] const FieldErrors& errors() const { return std::get<FieldErrors>(state_); }

  private:
    std::variant<T, FieldErrors> state_;
    bool conflict_ = false;
};

}  // namespace settings
