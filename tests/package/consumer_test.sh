#!/usr/bin/env bash
# Installs the project into a temporary prefix, builds examples/print_settings
# against the installed CMake package (and nothing else of the tree), and runs it
# on a database prepared through the installed settingsctl.
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

output="$("$work/consumer/print_settings" "$work/settings.db" 42)"
echo "$output"
expect() {
    if ! grep -qxF "$1" <<< "$output"; then
        echo "FAILED: missing line: $1" >&2
        exit 1
    fi
}
expect 'display.theme = "dark" (user)'
expect 'ai.temperature = 1.25 (user)'
expect 'ai.model = "gpt-4o" (global)'
expect 'workflow.default_repository = "octo/repo" (global)'
[ "$(wc -l <<< "$output")" -eq 13 ] || { echo "FAILED: expected 13 fields" >&2; exit 1; }

[ -f "$work/prefix/lib/cmake/SettingsSessions/SettingsSessionsConfigVersion.cmake" ] ||
    { echo "FAILED: no version file" >&2; exit 1; }
echo "installed package OK"
