#!/usr/bin/env bash
# Installs what is missing, builds, and runs settings-service on its embedded
# default database, ./data/settings.db, at http://127.0.0.1:8000.
#
# LOCAL DEMO: dev login is switched on (POST /api/v1/auth/dev-login signs in
# anyone by name). Set DEV_LOGIN=0 to turn it off; never expose it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
scripts/build.sh -DSETTINGS_BUILD_TESTS=OFF
export DEV_LOGIN="${DEV_LOGIN:-1}"
exec build/service/settings-service "$@"
