#!/usr/bin/env bash
# Installs the project into a temporary prefix, builds examples/print_settings
# against the installed CMake package (and nothing else of the tree), and runs it
# on a database prepared through the installed settingsctl: a SQLite file, then
# the same settings copied into PostgreSQL (SETTINGS_TEST_POSTGRES_URL, the test
# cluster of scripts/test.sh).
#
#   consumer_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" > /dev/null
cmake -S "$source/examples/print_settings" -B "$work/consumer" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/consumer" > /dev/null

"$work/prefix/bin/settingsctl" --db "$work/settings.db" import - > /dev/null <<'JSON'
{"format": "settings-snapshot/1",
 "global": {"ai": {"provider": "copilot", "model": "gpt-4o", "temperature": 0.7},
            "display": {"theme": "light", "default_view": "chat", "sidebar_collapsed": false},
            "workflow": {"default_repository": "octo/repo", "default_assignee": "",
                         "copilot_polling_interval": 60},
            "notifications": {"task_status_change": true, "agent_completion": true,
                              "new_recommendation": true, "chat_mention": true},
            "allowed_models": []},
 "users": [{"user_id": "42", "display": {"theme": "dark"}, "ai": {"temperature": 1.25}}],
 "projects": []}
JSON

expect() {
    if ! grep -qxF "$1" <<< "$output"; then
        echo "FAILED: missing line: $1" >&2
        exit 1
    fi
}
check_output() {
    expect 'display.theme = "dark" (user)'
    expect 'ai.temperature = 1.25 (user)'
    expect 'ai.model = "gpt-4o" (global)'
    expect 'workflow.default_repository = "octo/repo" (global)'
    [ "$(wc -l <<< "$output")" -eq 13 ] || { echo "FAILED: expected 13 fields" >&2; exit 1; }
}

output="$("$work/consumer/print_settings" "$work/settings.db" 42)"
echo "$output"
check_output

admin="${SETTINGS_TEST_POSTGRES_URL:?the PostgreSQL half needs SETTINGS_TEST_POSTGRES_URL}"
database="consumer_$$_$RANDOM"
psql -q "$admin" -c "CREATE DATABASE $database"
postgres="${admin%/*}/$database"
"$work/prefix/bin/settingsctl" copy --from "sqlite:$work/settings.db" --to "$postgres" > /dev/null
output="$("$work/consumer/print_settings" "$postgres" 42)"
echo "on PostgreSQL:"
echo "$output"
check_output

# Only what an embedding program needs is installed, and no engine's header.
if grep -rlE '#include *[<"](SQLiteCpp/|sqlite3\.h|libpq-fe\.h)' "$work/prefix/include"; then
    echo "FAILED: an installed header includes a storage engine" >&2
    exit 1
fi
[ -f "$work/prefix/include/settings-sessions/settings/settings_store.hpp" ] ||
    { echo "FAILED: headers not under include/settings-sessions/" >&2; exit 1; }
# The headers the project's own programs share (libsettings/internal/,
# libsession/internal/) stay behind, and the installed ones need none of them.
for internal in "$source"/libsettings/internal/settings/*.hpp "$source"/libsession/internal/session/*.hpp; do
    name="${internal#"$source"/lib*/internal/}"
    if [ -e "$work/prefix/include/settings-sessions/$name" ]; then
        echo "FAILED: $name is installed" >&2
        exit 1
    fi
done
(cd "$work/prefix/include/settings-sessions" && find settings session -name '*.hpp' |
    sed 's|.*|#include <&>|') > "$work/all_headers.cpp"
c++ -std=c++20 -fsyntax-only -I"$work/prefix/include/settings-sessions" "$work/all_headers.cpp" ||
    { echo "FAILED: the installed headers do not compile on their own" >&2; exit 1; }
echo "$(wc -l < "$work/all_headers.cpp") headers installed"
[ -f "$work/prefix/lib/libsettings-sessions-settings.a" ] ||
    { echo "FAILED: library not named libsettings-sessions-settings.a" >&2; exit 1; }

[ -f "$work/prefix/lib/cmake/SettingsSessions/SettingsSessionsConfigVersion.cmake" ] ||
    { echo "FAILED: no version file" >&2; exit 1; }
echo "installed package OK"
