#include "postgresql/pg_values.hpp"

#include <array>
#include <charconv>

#include <boost/json.hpp>

#include <settings/errors.hpp>

namespace settings::detail {

std::string pg_timestamp(std::string_view column) {
    return "to_char(" + std::string(column) + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}

std::optional<std::string> pg_text(const std::optional<FieldValue>& value) {
    if (!value) {
        return std::nullopt;
    }
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                return v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                std::array<char, 32> buffer{};
                const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v).ptr;
                return {buffer.data(), end};
            } else {
                return v;
            }
        },
        *value);
}

FieldValue pg_field_value(const FieldDescriptor& field, const std::string& text) {
    const char* const first = text.data();
    const char* const last = text.data() + text.size();
    switch (field.kind) {
        case FieldKind::boolean:
            if (text == "t" || text == "f") {
                return text == "t";
            }
            break;
        case FieldKind::integer: {
            std::int64_t value = 0;
            if (const auto [end, ec] = std::from_chars(first, last, value);
                ec == std::errc() && end == last) {
                return value;
            }
            break;
        }
        case FieldKind::real: {
            double value = 0;
            if (const auto [end, ec] = std::from_chars(first, last, value);
                ec == std::errc() && end == last) {
                return value;
            }
            break;
        }
        case FieldKind::choice:
        case FieldKind::text:
        case FieldKind::repository:
        case FieldKind::login:
            return text;
    }
    throw StorageError("stored " + std::string(field.path) + " is not of its kind");
}

Preferences pg_preferences(const PgResult& result, int row, int first) {
    Preferences values;
    for (const auto& field : field_table) {
        const int column = first + static_cast<int>(index_of(field.field));
        if (!result.is_null(row, column)) {
            values[field.field] = pg_field_value(field, result.text(row, column));
        }
    }
    return values;
}

void append_preferences(PgParams& params, const Preferences& values) {
    for (const auto& field : field_table) {
        params.push_back(pg_text(values[field.field]));
    }
}

std::string pg_history_rows(const std::vector<HistoryEntry>& entries) {
    const auto text_or_null = [](const std::string& text) -> boost::json::value {
        return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
    };
    const auto optional = [](const std::optional<std::string>& text) -> boost::json::value {
        return text ? boost::json::value(*text) : boost::json::value(nullptr);
    };
    boost::json::array rows;
    rows.reserve(entries.size());
    for (const auto& entry : entries) {
        rows.push_back(
            boost::json::object{{"at", entry.at},
                                {"actor_user_id", text_or_null(entry.actor.github_user_id)},
                                {"actor_username", text_or_null(entry.actor.github_username)},
                                {"actor_tool", text_or_null(entry.actor.tool)},
                                {"scope", to_string(entry.scope)},
                                {"github_user_id", text_or_null(entry.user_id)},
                                {"project_id", optional(entry.project_id)},
                                {"field", entry.field},
                                {"old_value", optional(entry.old_value)},
                                {"new_value", optional(entry.new_value)},
                                {"revision", entry.revision}});
    }
    return boost::json::serialize(rows);
}

}  // namespace settings::detail
