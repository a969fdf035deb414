#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and only those that are
# missing. The one list of packages: the README's commands, CI and the Dockerfile
# all come through here.
#
#   scripts/install-deps.sh build     # compile the product and its web page
#   scripts/install-deps.sh test      # also run every test
#   scripts/install-deps.sh runtime   # only run the compiled service (container image)
set -euo pipefail

build_packages=(
    g++ cmake ninja-build ccache pkg-config
    libboost1.81-dev libboost-json1.81-dev
    libsqlitecpp-dev libsqlite3-dev libssl-dev libpq-dev
    # Prometheus metrics: the service links only its core library (registry,
    # metric types, text format); the package's civetweb and curl parts go unused.
    prometheus-cpp-dev
)
test_packages=(
    catch2 sqlite3 python3 python3-pytest python3-yaml chromium libbenchmark-dev wrk
    clang libclang-rt-14-dev clang-tidy postgresql
    podman runc netavark aardvark-dns iptables catatonit podman-compose debootstrap
    # The load balancer of the rolling-restart test (tests/service/test_rolling_restart.py).
    nginx
)
# What the compiled settings-service links at run time, its CA store for GitHub,
# and curl for the container health check.
runtime_packages=(
    libsqlite3-0 libboost-json1.81.0 libssl3 libpq5 libprometheus-cpp-core1.0 ca-certificates curl
)

mode="${1:-build}"
case "$mode" in
    build) wanted=("${build_packages[@]}") ;;
    test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
    runtime) wanted=("${runtime_packages[@]}") ;;
    *) echo "usage: $0 [build|test|runtime]" >&2; exit 2 ;;
esac

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
updated=no
install() {
    echo "Installing: $*"
    if [ "$updated" = no ]; then
        $sudo apt-get update -qq
        updated=yes
    fi
    $sudo apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    install "${missing[@]}"
fi

# The web page's toolchain. A machine may already have Node.js from elsewhere,
# with npm inside; Debian's own nodejs needs its separate npm package.
if [ "$mode" = runtime ]; then
    exit 0
fi
if ! command -v node > /dev/null; then
    install nodejs
fi
if ! command -v npm > /dev/null; then
    install npm
fi
