#!/usr/bin/env bash
# Installs what is missing, builds, and runs the product on its embedded default
# database, ./data/settings.db: settings-service on http://127.0.0.1:8000 and the
# Settings page (Vite dev server, forwarding /api) on http://localhost:5173.
#
# LOCAL DEMO: dev login is switched on (the page offers "sign in with a
# username"; anyone can sign in as anyone). DEV_LOGIN=0 turns it off; never
# expose it. Flags after the command go to settings-service.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
scripts/build.sh -DSETTINGS_BUILD_TESTS=OFF -DSETTINGS_BUILD_BENCH=OFF
scripts/web-deps.sh

export DEV_LOGIN="${DEV_LOGIN:-1}"
build/service/settings-service "$@" &
service=$!
trap 'kill "$service" 2> /dev/null; wait "$service" 2> /dev/null' EXIT INT TERM

cd web
echo "The Settings page: http://localhost:5173 (service: http://127.0.0.1:8000)"
npm run dev -- --host localhost --port 5173 --strictPort
