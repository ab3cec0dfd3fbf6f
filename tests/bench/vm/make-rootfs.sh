#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-rootfs.sh [CACHE_DIR]
#
# The root of the benchmark guests: a copy of the persistence tests' debootstrap'd
# bookworm root (tests/vm/persist/make-rootfs.sh, CACHE_DIR/rootfs-bookworm) with the
# peers vfio-bind is measured against installed from Debian's archive: driverctl and
# dpdk (which ships dpdk-devbind.py; its other dependencies are python3, pciutils and
# procps), iproute2 (dpdk-devbind.py runs "ip route" to spare the NICs in use; it only
# Recommends it) and strace (the guest traces one run of vfio-bind). Cached under CACHE_DIR/rootfs-bench and reused while its package list is the
# same. Prints its path. Exits 77 with a one-line reason when it cannot be made.
# Environment: VFIO_BIND_VM_MIRROR (default: the archive the base root was made from).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-/var/cache/vfio-bind-tests}
packages="driverctl dpdk python3 pciutils procps iproute2 strace"

say() { echo "make-rootfs-bench: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }

base=$("$here/../../vm/persist/make-rootfs.sh" "$cache") || exit $?
cache=$(cd "$cache" && pwd)
root=$cache/rootfs-bench
stamp="$(cat "$base/.complete") + $packages"

exec 9>"$cache/.rootfs-bench.lock"
flock 9

if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$stamp" ]; then
	say "using cached $root"
	echo "$root"
	exit 0
fi
[ "$(id -u)" = 0 ] || skip "chroot and apt-get need root"

tmp=$cache/.rootfs-bench.tmp
rm -rf "$tmp"
cp -a "$base" "$tmp"
rm -f "$tmp/.complete"
# The base root's apt sources name the archive it was made from (this machine's own);
# VFIO_BIND_VM_MIRROR replaces it.
if [ -n "${VFIO_BIND_VM_MIRROR:-}" ]; then
	echo "deb $VFIO_BIND_VM_MIRROR bookworm main" >"$tmp/etc/apt/sources.list"
fi
[ -s "$tmp/etc/apt/sources.list" ] || skip "the base root has no apt sources (set VFIO_BIND_VM_MIRROR)"
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
log=$cache/rootfs-bench.log
# No daemon may start in the chroot (policy-rc.d), and nothing of the host's /sys or
# /dev is mounted into it: apt and dpkg need neither.
printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
chmod 0755 "$tmp/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086 # the package list is words
if ! { chroot "$tmp" apt-get update &&
	DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y --no-install-recommends $packages; } \
	>"$log" 2>&1; then
	rm -rf "$tmp"
	skip "apt-get in the chroot failed: see $log"
fi
rm -f "$tmp/usr/sbin/policy-rc.d"
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* \
	"$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/locale/*

rm -rf "$root"
mv "$tmp" "$root"
echo "$stamp" >"$root/.complete"
say "made $root ($(du -sh "$root" | cut -f1))"
echo "$root"
