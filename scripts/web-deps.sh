#!/usr/bin/env bash
# Installs web/'s npm packages exactly as package-lock.json pins them, and only
# when the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi
