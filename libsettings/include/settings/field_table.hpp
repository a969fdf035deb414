#pragma once

// The one table that describes every preference field. JSON paths, validation
// and merge are all driven from here, and the engines' column lists from a table
// beside it (src/storage/columns.hpp): adding a preference means one `Field`
// entry, one descriptor row, one column name and one migration per engine adding
// the column to `user_preferences` and `global_settings`.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace settings {

/// Identifies a preference field; the value is the field's index in `field_table`.
enum class Field : std::size_t {
    ai_provider,
    ai_model,
    ai_temperature,
    display_theme,
    display_default_view,
    display_sidebar_collapsed,
    workflow_default_repository,
    workflow_default_assignee,
    workflow_copilot_polling_interval,
    notifications_task_status_change,
    notifications_agent_completion,
    notifications_new_recommendation,
    notifications_chat_mention,
};

/// What a field holds and which rule validates it.
enum class FieldKind {
    choice,      // text, one of `choices`
    text,        // text of 1..`maximum` Unicode code points
    real,        // finite number in [minimum, maximum]
    integer,     // JSON integer in [minimum, maximum]
    boolean,     // true or false
    repository,  // GitHub `owner/repo`
    login,       // GitHub login, or the empty string
};

struct FieldDescriptor {
    Field field;
    std::string_view path;  // dotted JSON path: "ai.provider"
    FieldKind kind;
    std::span<const std::string_view> choices{};
    double minimum = 0;
    double maximum = 0;
    bool nullable_in_global = false;

    /// "ai" for "ai.provider".
    [[nodiscard]] constexpr std::string_view section() const {
        return path.substr(0, path.find('.'));
    }
    /// "provider" for "ai.provider".
    [[nodiscard]] constexpr std::string_view name() const {
        return path.substr(path.find('.') + 1);
    }
};

inline constexpr std::array<std::string_view, 2> ai_provider_choices{"copilot", "azure_openai"};
inline constexpr std::array<std::string_view, 2> theme_choices{"dark", "light"};
inline constexpr std::array<std::string_view, 3> default_view_choices{"chat", "board", "settings"};

inline constexpr std::array field_table{
    FieldDescriptor{Field::ai_provider, "ai.provider", FieldKind::choice, ai_provider_choices},
    FieldDescriptor{Field::ai_model, "ai.model", FieldKind::text, {}, 1, 200},
    FieldDescriptor{Field::ai_temperature, "ai.temperature", FieldKind::real, {}, 0.0, 2.0},
    FieldDescriptor{Field::display_theme, "display.theme", FieldKind::choice, theme_choices},
    FieldDescriptor{Field::display_default_view, "display.default_view", FieldKind::choice,
                    default_view_choices},
    FieldDescriptor{Field::display_sidebar_collapsed, "display.sidebar_collapsed",
                    FieldKind::boolean},
    FieldDescriptor{Field::workflow_default_repository,
                    "workflow.default_repository",
                    FieldKind::repository,
                    {},
                    0,
                    0,
                    true},
    FieldDescriptor{Field::workflow_default_assignee, "workflow.default_assignee",
                    FieldKind::login},
    FieldDescriptor{Field::workflow_copilot_polling_interval,
                    "workflow.copilot_polling_interval",
                    FieldKind::integer,
                    {},
                    0,
                    86400},
    FieldDescriptor{Field::notifications_task_status_change, "notifications.task_status_change",
                    FieldKind::boolean},
    FieldDescriptor{Field::notifications_agent_completion, "notifications.agent_completion",
                    FieldKind::boolean},
    FieldDescriptor{Field::notifications_new_recommendation, "notifications.new_recommendation",
                    FieldKind::boolean},
    FieldDescriptor{Field::notifications_chat_mention, "notifications.chat_mention",
                    FieldKind::boolean},
};

inline constexpr std::size_t field_count = field_table.size();

/// The sections of the JSON documents, in the order the API writes them.
inline constexpr std::array<std::string_view, 4> sections{"ai", "display", "workflow",
                                                          "notifications"};

constexpr std::size_t index_of(Field field) {
    return static_cast<std::size_t>(field);
}

constexpr const FieldDescriptor& descriptor(Field field) {
    return field_table[index_of(field)];
}

/// The field at a dotted path ("ai.model"), or nothing.
constexpr std::optional<Field> find_field(std::string_view path) {
    for (const auto& d : field_table) {
        if (d.path == path) {
            return d.field;
        }
    }
    return std::nullopt;
}

namespace detail {
constexpr bool field_table_is_consistent() {
    for (std::size_t i = 0; i < field_table.size(); ++i) {
        const auto& d = field_table[i];
        if (index_of(d.field) != i || d.path.find('.') == std::string_view::npos) {
            return false;
        }
        bool known_section = false;
        for (auto s : sections) {
            known_section = known_section || s == d.section();
        }
        if (!known_section) {
            return false;
        }
    }
    return true;
}
}  // namespace detail

static_assert(detail::field_table_is_consistent(),
              "field_table rows must follow the order of enum Field and use a known section");

/// The C++ type of a field's values: bool, std::int64_t, double, or std::string.
template <FieldKind Kind>
struct FieldValueOf {
    using type = std::string;
};
template <>
struct FieldValueOf<FieldKind::boolean> {
    using type = bool;
};
template <>
struct FieldValueOf<FieldKind::integer> {
    using type = std::int64_t;
};
template <>
struct FieldValueOf<FieldKind::real> {
    using type = double;
};

/// A field known at compile time, for the typed accessors of PreferencesUpdate and
/// Preferences: `update.set(fields::ai_temperature, 1.5)` compiles, and
/// `update.set(fields::ai_temperature, "hot")` does not.
template <Field F>
struct TypedField {
    static constexpr Field field = F;
    using value_type = typename FieldValueOf<descriptor(F).kind>::type;
};

namespace fields {
inline constexpr TypedField<Field::ai_provider> ai_provider{};
inline constexpr TypedField<Field::ai_model> ai_model{};
inline constexpr TypedField<Field::ai_temperature> ai_temperature{};
inline constexpr TypedField<Field::display_theme> display_theme{};
inline constexpr TypedField<Field::display_default_view> display_default_view{};
inline constexpr TypedField<Field::display_sidebar_collapsed> display_sidebar_collapsed{};
inline constexpr TypedField<Field::workflow_default_repository> workflow_default_repository{};
inline constexpr TypedField<Field::workflow_default_assignee> workflow_default_assignee{};
inline constexpr TypedField<Field::workflow_copilot_polling_interval>
    workflow_copilot_polling_interval{};
inline constexpr TypedField<Field::notifications_task_status_change>
    notifications_task_status_change{};
inline constexpr TypedField<Field::notifications_agent_completion> notifications_agent_completion{};
inline constexpr TypedField<Field::notifications_new_recommendation>
    notifications_new_recommendation{};
inline constexpr TypedField<Field::notifications_chat_mention> notifications_chat_mention{};
}  // namespace fields

/// Whether `Value` may be given for a field holding `T`: the type itself, text
/// for a text field, any integer for an integer field. Never a silent
/// conversion between kinds (an int for a real, a number for a boolean).
template <typename T, typename Value>
concept FieldValueFor =
    std::same_as<std::remove_cvref_t<Value>, T> ||
    (std::same_as<T, std::string>&& std::convertible_to<Value, std::string_view>) ||
    (std::same_as<T, std::int64_t> && std::integral<std::remove_cvref_t<Value>> &&
     !std::same_as<std::remove_cvref_t<Value>, bool>);

}  // namespace settings
