#!/usr/bin/env bash
# Configures and builds everything into build/. Extra arguments go to cmake
# (scripts/test.sh passes -DSETTINGS_BUILD_TESTS=ON). Incremental and cached by
# ccache, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@"
elif [ $# -gt 0 ]; then
    cmake -S . -B build "$@" > /dev/null
fi
cmake --build build
