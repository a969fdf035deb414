#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <settings/patch.hpp>
#include <settings/preferences.hpp>
#include <settings/project_settings.hpp>

namespace settings {

/// A partial update of preference fields: one `Patch` per field of `field_table`.
class PreferencesUpdate {
  public:
    [[nodiscard]] const Patch<FieldValue>& operator[](Field field) const {
        return patches_[index_of(field)];
    }
    [[nodiscard]] Patch<FieldValue>& operator[](Field field) { return patches_[index_of(field)]; }

    /// Sets a field to a value of its own type, checked at compile time:
    /// `set(fields::ai_temperature, 1.5)`, `set(fields::display_theme, "dark")`.
    template <Field F, typename Value>
    requires FieldValueFor<typename TypedField<F>::value_type, Value> PreferencesUpdate& set(
        TypedField<F> /*field*/, Value&& value) {
        using T = typename TypedField<F>::value_type;
        patches_[index_of(F)] = FieldValue(T(std::forward<Value>(value)));
        return *this;
    }
    /// Resets a field to the inherited value.
    template <Field F>
    PreferencesUpdate& reset(TypedField<F> /*field*/) {
        patches_[index_of(F)] = Patch<FieldValue>::reset();
        return *this;
    }

    /// True when every field is absent.
    [[nodiscard]] bool empty() const {
        for (const auto& p : patches_) {
            if (!p.is_absent()) {
                return false;
            }
        }
        return true;
    }

    /// `current` with every patch applied.
    [[nodiscard]] Preferences applied_to(const Preferences& current) const {
        Preferences next;
        for (const auto& d : field_table) {
            next[d.field] = patches_[index_of(d.field)].applied_to(current[d.field]);
        }
        return next;
    }

    friend bool operator==(const PreferencesUpdate&, const PreferencesUpdate&) = default;

  private:
    std::array<Patch<FieldValue>, field_count> patches_{};
};

/// A partial update of the global row. No field may be reset except
/// `workflow.default_repository`.
struct GlobalSettingsUpdate {
    PreferencesUpdate preferences;
    std::optional<std::vector<std::string>> allowed_models;

    friend bool operator==(const GlobalSettingsUpdate&, const GlobalSettingsUpdate&) = default;
};

/// A partial update of one project layer. Each field is replaced as a whole.
struct ProjectSettingsUpdate {
    Patch<BoardDisplayConfig> board_display_config;
    Patch<AgentPipelineMappings> agent_pipeline_mappings;

    friend bool operator==(const ProjectSettingsUpdate&, const ProjectSettingsUpdate&) = default;
};

}  // namespace settings
