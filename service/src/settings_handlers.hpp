#pragma once

// Handlers of /api/v1/settings/*: parse with the library's codec, call the
// settings store, answer with the codec's JSON. The caller has checked the
// session, Origin, Content-Type and JSON syntax.

#include <chrono>
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include <service/http_message.hpp>
#include <session/session.hpp>
#include <settings/settings_store.hpp>

namespace service::handlers {

// GETs answer 304 when `if_none_match` names the current ETag; PUTs with an
// `if_match` that does not pass answer 412 with the current view, before the
// body's schema is checked (revisions.md).
Response get_user_settings(settings::SettingsStore& store, const session::Session& session,
                           std::optional<std::string_view> if_none_match);
Response put_user_settings(settings::SettingsStore& store, const session::Session& session,
                           const boost::json::value& body,
                           std::optional<std::string_view> if_match);
Response get_global_settings(settings::SettingsStore& store,
                             std::optional<std::string_view> if_none_match);
Response put_global_settings(settings::SettingsStore& store, const session::Session& session,
                             const boost::json::value& body,
                             std::optional<std::string_view> if_match);
Response get_projects(settings::SettingsStore& store, const session::Session& session);
Response get_project_settings(settings::SettingsStore& store, const session::Session& session,
                              std::string_view project_id,
                              std::optional<std::string_view> if_none_match);
Response put_project_settings(settings::SettingsStore& store, const session::Session& session,
                              std::string_view project_id, const boost::json::value& body,
                              std::optional<std::string_view> if_match);

/// GET /settings/history: the user's view of the change history (global, and
/// their own user and project rows); bad parameters are 422 naming them.
Response get_history(settings::SettingsStore& store, const session::Session& session,
                     std::string_view query);

/// The 422 answer for field errors.
Response invalid(const settings::FieldErrors& errors);

/// The 429 answer past the user's write limit, with Retry-After.
Response too_many_writes(std::chrono::seconds retry_after);

}  // namespace service::handlers
