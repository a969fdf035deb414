#!/usr/bin/env bash
# clang-tidy with the repository's .clang-tidy on every source of the libraries,
# the service and the admin tool. Exits non-zero on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if [ ! -f build-tidy/compile_commands.json ]; then
    cmake -S . -B build-tidy -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        -DCMAKE_CXX_COMPILER=clang++ -DSETTINGS_BUILD_TESTS=OFF -DSETTINGS_BUILD_BENCH=OFF
fi
# The embedded migrations are generated; the sources include nothing else generated.
cmake --build build-tidy --target settings
run-clang-tidy -quiet -p build-tidy "$PWD/(libsettings|libsession|service|tools)/.*\.cpp\$"
echo "tidy: no warnings"
