#pragma once

#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

namespace settings {

/// One field of a partial update: absent (leave the stored value as it is),
/// reset (JSON null: fall back to the inherited value) or a new value.
template <typename T>
class Patch {
  public:
    /// An absent field.
    Patch() = default;
    /// A new value: anything `T` can be made from (`patch = 0.5`).
    template <typename U>
    requires std::constructible_from<T, U&&> &&(!std::same_as<std::remove_cvref_t<U>, Patch>)
        Patch(U&& value)  // NOLINT: implicit by design
        : state_(State::value), value_(std::forward<U>(value)) {}

    /// A reset to the inherited value.
    static Patch reset() {
        Patch p;
        p.state_ = State::reset;
        return p;
    }

    [[nodiscard]] bool is_absent() const { return state_ == State::absent; }
    [[nodiscard]] bool is_reset() const { return state_ == State::reset; }
    [[nodiscard]] bool has_value() const { return state_ == State::value; }
    /// The new value; only valid when `has_value()`.
    [[nodiscard]] const T& value() const { return *value_; }
    /// The stored value after this patch is applied to `current`.
    [[nodiscard]] std::optional<T> applied_to(std::optional<T> current) const {
        switch (state_) {
            case State::absent:
                return current;
            case State::reset:
                return std::nullopt;
            case State::value:
                return value_;
        }
        return current;
    }

    friend bool operator==(const Patch&, const Patch&) = default;

  private:
    enum class State { absent, reset, value };
    State state_ = State::absent;
    std::optional<T> value_;
};

}  // namespace settings
