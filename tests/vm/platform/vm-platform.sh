#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-platform.sh BUILD_ROOT SOURCE_ROOT
#
# meson test vm-platform: vfio-bind on the platform bus on a real kernel.
# Gets Debian's kernel the way ../vm-test.sh does, builds vfio.ko with the no-IOMMU mode
# and vfio-platform from Debian's linux-source (build-vfio.sh), packs vfio-bind's install
# tree, those modules (under /lib/modules/KVER/updates/, where they win over Debian's
# vfio.ko), the host drivers qemu_fw_cfg and pvpanic-mmio and guest-platform.sh into
# the busybox initramfs with ../make-initramfs.sh, and boots ../run-vm.sh with ./machine once
# without an IOMMU. The devices moved are QEMU's fw_cfg (QEMU0002:00, host driver
# fw_cfg) and pvpanic (QEMU0001:00, pvpanic-mmio), to vfio-platform and back.
# Prints the guest's TAP lines and exits 0 only if all passed and the guest reported
# to the end. Exits 77 (skipped) where qemu, the kernel or its source cannot be had,
# or with VFIO_BIND_SKIP_VM=1.
# Environment: VFIO_BIND_VM_CACHE, VFIO_BIND_VM_ACCEL, VFIO_BIND_VM_TIMEOUT (as for
# ../vm-test.sh). Logs in BUILD_ROOT/tests/vm/platform/work.

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
work=$build/tests/vm/platform/work

skip() { echo "vm-platform: SKIP: $*"; exit 77; }
fail() { echo "vm-platform: FAIL: $*"; exit 1; }

[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
for tool in qemu-system-x86_64 busybox cpio gzip depmod modprobe modinfo make xz dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done

cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
# A developer who is not root keeps the kernel in their own cache.
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-bind-tests
fi
tree=$("$vm/fetch-kernel.sh" "$cache") || exit $?
kver=$(basename "$tree")
kernel=$tree/boot/vmlinux-$kver
[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver

mkdir -p "$work"
t0=$(date +%s)
rc=0
kos=$("$here/build-vfio.sh" "$tree" "$cache" "$work/vfio" 2>"$work/build-vfio.log") || rc=$?
sed 's/^/# /' "$work/build-vfio.log"
[ "$rc" -eq 77 ] && skip "no drivers/vfio source for $kver (see above)"
[ "$rc" -eq 0 ] || fail "cannot build vfio and vfio-platform for $kver"
echo "# built $(echo "$kos" | wc -l) modules from $(cat "$work/vfio/.source") in $(($(date +%s) - t0)) s"

# What the project installs, as a package would lay it out, and on top of it (the
# initramfs takes the tree as is) the guest script, the modules built above under
# updates/ (which depmod prefers to kernel/, so they replace Debian's vfio.ko), and
# the host drivers of the two devices (../make-initramfs.sh has its own fixed list),
# each at its own place.
rm -rf "$work/destdir"
meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --destdir failed"; }
install -D -m 0755 "$here/guest-platform.sh" "$work/destdir/guest-platform.sh"
mods=$work/destdir/lib/modules/$kver
mkdir -p "$mods/updates"
for ko in $kos; do
	cp "$ko" "$mods/updates/"
done
for mod in qemu_fw_cfg pvpanic_mmio; do
	deps=$(modprobe -d "$tree" -S "$kver" --show-depends "$mod") || fail "module $mod not in $kver"
	for ko in $(echo "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
		rel=${ko#"$tree/lib/modules/$kver/"}
		install -D -m 0644 "$ko" "$mods/$rel"
	done
done

"$vm/make-initramfs.sh" -k "$tree" -o "$work/initramfs.cpio.gz" -d "$work/destdir" \
	2>"$work/initramfs.log" || { cat "$work/initramfs.log"; fail "cannot build the initramfs"; }
sed 's/^/# /' "$work/initramfs.log"

# The guest's module index must resolve vfio to the build above, not to Debian's.
moddep=$(gzip -dc "$work/initramfs.cpio.gz" |
	(cd "$work" && cpio -i --quiet --to-stdout "*lib/modules/$kver/modules.dep"))
echo "$moddep" | grep -q '^updates/vfio\.ko:' || fail "the guest's modules.dep does not take vfio from updates/"
echo "$moddep" | grep -q '^updates/vfio-platform\.ko:.*updates/vfio\.ko' ||
	fail "the guest's modules.dep has no vfio-platform on the vfio built here"
echo "# guest modules.dep: $(echo "$moddep" | grep -E '^updates/|qemu_fw_cfg|pvpanic' | tr '\n' ' ')"

log=$work/platform.log
rc=0
"$here/../run-vm.sh" -n -a "${VFIO_BIND_VM_ACCEL:-tcg}" -t "${VFIO_BIND_VM_TIMEOUT:-240}" \
	-s guest-platform.sh -m "$here/machine" \
	"$kernel" "$work/initramfs.cpio.gz" platform \
	>"$log" 2>"$log.err" || rc=$?
echo "# $(grep '^run-vm:' "$log.err" | sed 's/^run-vm: //')"

exec "$here/../tap-summary.sh" vm-platform "$log" "$rc"
