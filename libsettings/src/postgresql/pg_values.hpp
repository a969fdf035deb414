#pragma once

// Preference values and timestamps as PostgreSQL's text format carries them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <settings/field_table.hpp>
#include <settings/history.hpp>
#include <settings/preferences.hpp>

#include "postgresql/pg_connection.hpp"

namespace settings::detail {

/// A timestamptz column read back as `2026-11-26T10:00:00.123Z` (the session's
/// time zone is UTC).
std::string pg_timestamp(std::string_view column);

std::optional<std::string> pg_text(const std::optional<FieldValue>& value);
/// The value of a field from its column's text; throws StorageError for text that
/// is not of the field's kind.
FieldValue pg_field_value(const FieldDescriptor& field, const std::string& text);

/// The preference columns starting at column `first` of a result row.
Preferences pg_preferences(const PgResult& result, int row, int first);
/// Appends every preference value, in field_table order.
void append_preferences(PgParams& params, const Preferences& values);

/// History entries as one parameter: a JSON array of objects with the columns
/// of settings_history (but `id`), the empty strings of absent actors and
/// owners as null. Statements read it with json_array_elements.
std::string pg_history_rows(const std::vector<HistoryEntry>& entries);

}  // namespace settings::detail
