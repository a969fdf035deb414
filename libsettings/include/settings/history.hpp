#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace settings {

/// Who made a change: a signed-in user, or a tool (`settingsctl`, `seed` for the
/// first start's global row, or whatever name an embedding program gives itself).
struct Actor {
    std::string github_user_id;  // empty for a tool
    std::string github_username;
    std::string tool;  // empty for a user

    static Actor user(std::string_view id, std::string_view username) {
        return {std::string(id), std::string(username), {}};
    }
    static Actor named_tool(std::string_view name) { return {{}, {}, std::string(name)}; }

    friend bool operator==(const Actor&, const Actor&) = default;
};

/// The layer a change was made to.
enum class Scope { global, user, project };

std::string_view to_string(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

/// One changed field of one write (revisions.md, "History").
struct HistoryEntry {
    std::int64_t id = 0;  ///< increasing in commit order, never reused
    std::string at;       ///< when the write was made (decisions 20)
    Actor actor;
    Scope scope = Scope::global;
    std::string user_id;                    ///< whose row; empty for global
    std::optional<std::string> project_id;  ///< project scope only
    std::string field;                      ///< the body path: `ai.temperature`, `allowed_models`
    std::optional<std::string> old_value;   ///< JSON text; nothing: not set
    std::optional<std::string> new_value;   ///< JSON text; nothing: not set / reset
    std::int64_t revision = 0;              ///< the row's revision after the write

    friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

/// Which entries a history page holds: those of `scope` (every scope the user
/// sees when nothing: global, and the user's own user and project rows; every
/// entry of every user when `user_id` is empty too: an operator's view), of one
/// project when `project_id` is set, newest first, older than `before` when set.
struct HistoryQuery {
    std::string user_id{};  ///< whose user and project rows
    std::optional<Scope> scope{};
    std::optional<std::string> project_id{};
    std::size_t limit = 50;
    std::optional<std::int64_t> before{};
};

struct HistoryPage {
    std::vector<HistoryEntry> entries;
    /// The `before` of the next (older) page; nothing when this is the last.
    std::optional<std::int64_t> next_before;
};

}  // namespace settings
