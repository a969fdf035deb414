#!/usr/bin/env bash
# Builds everything (but the benchmarks) as Release in build-release/ with
# warnings as errors: what a plain `cmake -DCMAKE_BUILD_TYPE=Release` user gets,
# checked for GCC's -O3-only warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if [ ! -f build-release/build.ninja ]; then
    cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSETTINGS_WERROR=ON \
        -DSETTINGS_BUILD_BENCH=OFF
fi
cmake --build build-release
echo "release build: no warnings"
