#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test. Exits non-zero on any
# failure; the last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
scripts/build.sh -DSETTINGS_BUILD_TESTS=ON -DSETTINGS_BUILD_BENCH=ON -DSETTINGS_WERROR=ON
scripts/web-deps.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
