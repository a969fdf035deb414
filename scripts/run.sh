#!/usr/bin/env bash
# Installs what is missing, builds, and runs the product on its embedded default
# database, ./data/settings.db.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
scripts/build.sh
export DATABASE_PATH="${DATABASE_PATH:-./data/settings.db}"
build/libsettings/settingsctl version
exec build/libsettings/settingsctl global
