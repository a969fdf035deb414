#!/usr/bin/env bash
# Configures (once) and builds everything into build/. Incremental and cached by
# ccache, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

build_type="${BUILD_TYPE:-RelWithDebInfo}"
if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
fi
cmake --build build
