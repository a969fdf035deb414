#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <settings/field_table.hpp>

namespace settings {

/// The value of one preference field. The alternative in use follows the field's
/// `FieldKind`: bool for boolean, int64 for integer, double for real, text otherwise.
using FieldValue = std::variant<bool, std::int64_t, double, std::string>;

/// One optional value per field of `field_table`: a layer of settings (global row,
/// a user's overrides) or an effective view. An empty slot means "not set here".
class Preferences {
  public:
    [[nodiscard]] const std::optional<FieldValue>& operator[](Field field) const {
        return values_[index_of(field)];
    }
    [[nodiscard]] std::optional<FieldValue>& operator[](Field field) {
        return values_[index_of(field)];
    }

    // Typed reads. Each requires the field to be set and of the matching kind,
    // and throws std::bad_optional_access or std::bad_variant_access otherwise.
    [[nodiscard]] const std::string& text(Field field) const {
        return std::get<std::string>(values_[index_of(field)].value());
    }
    [[nodiscard]] double real(Field field) const {
        return std::get<double>(values_[index_of(field)].value());
    }
    [[nodiscard]] std::int64_t integer(Field field) const {
        return std::get<std::int64_t>(values_[index_of(field)].value());
    }
    [[nodiscard]] bool boolean(Field field) const {
        return std::get<bool>(values_[index_of(field)].value());
    }

    /// The value of a field, typed by the field: `get(fields::ai_temperature)` is a
    /// double. Throws std::bad_optional_access when the field is not set.
    template <Field F>
    [[nodiscard]] const typename TypedField<F>::value_type& get(TypedField<F> /*field*/) const {
        return std::get<typename TypedField<F>::value_type>(values_[index_of(F)].value());
    }

    /// True when no field is set.
    [[nodiscard]] bool empty() const {
        for (const auto& v : values_) {
            if (v) {
                return false;
            }
        }
        return true;
    }

    friend bool operator==(const Preferences&, const Preferences&) = default;

  private:
    std::array<std::optional<FieldValue>, field_count> values_{};
};

}  // namespace settings
