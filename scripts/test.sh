#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the library suites on
# SQLite and on a throwaway PostgreSQL cluster (started here, stopped at the end
# also on failure), the HTTP and multi-host suites against real service
# processes, the page, the admin tool and the package. Exits non-zero on any
# failure; the last line is ctest's summary. Arguments go to ctest (-R, -E, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
scripts/build.sh -DSETTINGS_BUILD_TESTS=ON -DSETTINGS_BUILD_BENCH=ON -DSETTINGS_WERROR=ON
scripts/web-deps.sh

scripts/with-postgres.sh ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
