#!/usr/bin/env bash
# Makes the Debian 12 base image the Dockerfile starts FROM, locally, for
# machines that reach an apt mirror but no container image registry:
#
#   scripts/container-base-image.sh [NAME...]     # default: debian:12-slim
#
# debootstrap --variant=minbase bookworm from the apt mirror this machine uses
# (read from /etc/apt/sources.list{,.d}), trimmed like Docker's debian:*-slim
# (no docs, man pages or locales; no apt lists or cached .debs), then
# `podman import`ed under every NAME, both as localhost/NAME and
# docker.io/library/NAME so that `FROM NAME` finds it without pulling.
# An image that already exists is reused: nothing is built (FORCE=1 rebuilds).
# Needs root, debootstrap and podman.
set -euo pipefail

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    names=(debian:12-slim)
fi

qualified() {
    case "$1" in
        */*) echo "$1" ;;
        *) echo "docker.io/library/$1" ;;
    esac
}

if [ "${FORCE:-0}" != 1 ]; then
    all_present=yes
    for name in "${names[@]}"; do
        if ! podman image exists "$(qualified "$name")"; then
            all_present=no
        fi
    done
    if [ "$all_present" = yes ]; then
        echo "base image present: ${names[*]}"
        exit 0
    fi
fi

# The machine's own Debian mirrors: the first URI serving the main archive and
# the first serving security updates, in one-line (.list) or deb822 (.sources)
# form.
uris() {
    local file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' "$file"
    done
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] && awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$file"
    done
}
mirror="${DEBIAN_MIRROR:-$(uris | grep -E '/debian/?$' | head -n 1 || true)}"
security="${DEBIAN_SECURITY_MIRROR:-$(uris | grep -E '/debian-security/?$' | head -n 1 || true)}"
if [ -z "$mirror" ]; then
    echo "no Debian mirror found in /etc/apt/sources.list{,.d}; set DEBIAN_MIRROR" >&2
    exit 1
fi
mirror="${mirror%/}"
security="${security%/}"

work="$(mktemp -d /var/tmp/settings-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
}

{
    echo "deb $mirror bookworm main"
    echo "deb $mirror bookworm-updates main"
    if [ -n "$security" ]; then
        echo "deb $security bookworm-security main"
    fi
} > "$rootfs/etc/apt/sources.list"

# As in Docker's slim images: dpkg leaves out documentation and locales from
# now on, and apt keeps neither lists nor downloaded packages.
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" << 'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" << 'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$rootfs/etc/apt/apt.conf.d/docker-no-languages"
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/root/.cache
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
# The host's name and resolver are the container engine's business.
rm -f "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"

tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
first="$(qualified "${names[0]}")"
podman import --quiet --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --message "debootstrap --variant=minbase bookworm $mirror" "$work/rootfs.tar" "$first" > /dev/null
for name in "${names[@]}"; do
    podman tag "$first" "$(qualified "$name")" "localhost/$name"
done
echo "base image made: ${names[*]} ($(podman image inspect --format '{{.Size}}' "$first") bytes)"
