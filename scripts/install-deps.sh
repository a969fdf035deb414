#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, and only those that are
# missing. The one list of packages: the README's commands, CI and the Dockerfile
# all come through here.
#
#   scripts/install-deps.sh build   # compile the product and its web page
#   scripts/install-deps.sh test    # also run every test
set -euo pipefail

build_packages=(
    g++ cmake ninja-build ccache pkg-config
    libboost1.81-dev libboost-json1.81-dev
    libsqlitecpp-dev libsqlite3-dev libssl-dev
)
test_packages=(
    catch2 sqlite3 python3 python3-pytest chromium
)

case "${1:-build}" in
    build) wanted=("${build_packages[@]}") ;;
    test) wanted=("${build_packages[@]}" "${test_packages[@]}") ;;
    *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
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
if ! command -v node > /dev/null; then
    install nodejs
fi
if ! command -v npm > /dev/null; then
    install npm
fi
