#!/usr/bin/env bash
# The C++ tests under sanitizers, each in a build folder of its own:
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer: every Catch2 test
#                (on SQLite and PostgreSQL), and the HTTP, multi-host and admin-tool
#                suites against the instrumented binaries
#   build-tsan/  ThreadSanitizer: the concurrency tests of both libraries and the
#                read cache
# Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

configure() {
    local dir="$1" sanitizers="$2"
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSETTINGS_BUILD_TESTS=ON \
            -DSETTINGS_BUILD_BENCH=OFF -DSETTINGS_WERROR=ON -DSETTINGS_SANITIZE="$sanitizers"
    fi
}

configure build-asan address,undefined
cmake --build build-asan --target libsettings_tests libsession_tests service_api_tests \
    settings-service settingsctl
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scripts/with-postgres.sh ctest --test-dir build-asan --output-on-failure -j "$(nproc)" \
    -R '^(libsettings|libsession|service_api|service( \(postgresql\))?: (api|cache|lifecycle|oauth|hostile|faults|crash|multihost|storage_config)|tools)'

configure build-tsan thread
cmake --build build-tsan --target libsettings_tests libsession_tests service_api_tests
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
build-tsan/tests/libsettings_tests "[SET-5],[group_commit],[DB-6],[merge]"
build-tsan/tests/libsession_tests
build-tsan/tests/service_api_tests
echo "sanitizers: no reports"
