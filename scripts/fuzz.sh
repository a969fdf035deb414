#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 30) from its seed corpus in tests/fuzz/corpus/.
# New inputs go to a temporary folder, so the committed corpus stays as it is;
# a crash leaves its input in build-fuzz/findings/.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"

scripts/install-deps.sh test
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSETTINGS_BUILD_TESTS=OFF -DSETTINGS_BUILD_BENCH=OFF -DSETTINGS_BUILD_FUZZERS=ON \
        -DSETTINGS_SANITIZE=fuzzer-no-link,address,undefined
fi
targets=(settings_update migration_name http_request)
cmake --build build-fuzz --target "${targets[@]/%/_fuzzer}"

mkdir -p build-fuzz/findings
for target in "${targets[@]}"; do
    work="$(mktemp -d)"
    cp tests/fuzz/corpus/"$target"/* "$work"/
    echo "fuzzing $target for ${seconds}s"
    build-fuzz/tests/fuzz/"${target}_fuzzer" -max_total_time="$seconds" -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=build-fuzz/findings/"$target"- "$work" 2>&1 |
        grep -E "^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY)|Done " || true
    status=${PIPESTATUS[0]}
    rm -rf "$work"
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $target FAILED (exit $status); input in build-fuzz/findings/" >&2
        exit 1
    fi
done
echo "fuzz: every target ran ${seconds}s without a finding"
