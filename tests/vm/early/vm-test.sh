#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# early/vm-test.sh BUILD_ROOT SOURCE_ROOT
#
# The early-boot VM tests (meson test --suite vm-early): saved bindings applied inside
# the distribution's own initramfs, built by the distribution's tool inside the guest
# and booted from the guest's own disk. For each tool, initramfs-tools and dracut, a
# debootstrap'd bookworm root with that tool (../persist/make-rootfs.sh, cached), the
# kernel's /boot files and the tool's configuration (e1000e in the image; dracut with
# hostonly and e1000e in force_drivers), and three boots on one disk:
#   TOOL-prep   through the small busybox initramfs: save, rebuild the initramfs
#   TOOL-check  through that initramfs: bound inside it, e1000e never saw the device
#   TOOL-stale  after --unbind without a rebuild: the boot unit hands the device back
# Between the prep boot and the others the host takes /boot/initrd.img-KVER off the
# disk (qemu-img convert, debugfs) and boots it with root=/dev/vda.
# Exits 0 only if every boot reported and passed; 77 (skipped) where qemu, root,
# debootstrap or the Debian archive cannot be had, or with VFIO_BIND_SKIP_VM=1.
# Environment: as persist/vm-test.sh (VFIO_BIND_VM_CACHE, VFIO_BIND_VM_ACCEL,
# VFIO_BIND_VM_TIMEOUT), and VFIO_BIND_EARLY_TOOLS, the tools to run (default
# "initramfs-tools dracut").

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILD_ROOT SOURCE_ROOT" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
vm=$(dirname "$here")
persist=$vm/persist
work=$build/tests/vm/early-work

skip() { echo "vm-early: SKIP: $*"; exit 77; }
fail() { echo "vm-early: FAIL: $*"; exit 1; }

[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
for tool in qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe make mkfs.ext4 \
	debugfs bash timeout mkfifo systemctl; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
done
[ "$(id -u)" = 0 ] || skip "making the root images needs root"

cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
mkdir -p "$cache" 2>/dev/null || skip "cannot create cache directory '$cache'"
tree=$("$vm/fetch-kernel.sh" "$cache") || exit $?
kver=$(basename "$tree")
kernel=$tree/boot/vmlinux-$kver
[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver

mkdir -p "$work"
ko=$("$vm/variant/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/variant") ||
	fail "cannot build the variant module against $kver"
rm -rf "$work/destdir"
meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; fail "meson install --destdir failed"; }
for want in 'sbin/vfio-bind' 'rules.d/60-vfio-bind.rules' 'hooks/vfio-bind' \
	'init-top/00-vfio-bind' '90vfio-bind/module-setup.sh'; do
	[ -n "$(find "$work/destdir" -path "*/$want" -type f)" ] || fail "meson install put no */$want into $work/destdir"
done
"$persist/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" ||
	{ cat "$work/image.log"; fail "cannot build the boot initramfs"; }

# What each tool's root gets on top: the kernel's /boot files (the tools want its
# config; dracut names its image after a /boot/vmlinuz-KVER) and the configuration.
overlay() { # TOOL DIR
	rm -rf "$2"
	mkdir -p "$2/boot"
	cp "$tree/boot/vmlinuz-$kver" "$tree/boot/config-$kver" "$2/boot/"
	[ ! -e "$tree/boot/System.map-$kver" ] || cp "$tree/boot/System.map-$kver" "$2/boot/"
	case $1 in
	initramfs-tools)
		# MODULES=list keeps the build short under TCG; e1000e in the list is the host
		# driver the image carries (loaded by udev's coldplug and again from the list).
		mkdir -p "$2/etc/initramfs-tools/conf.d"
		echo MODULES=list >"$2/etc/initramfs-tools/conf.d/vmtest.conf"
		printf '%s\n' virtio_pci virtio_blk crc32c_generic ext4 e1000e >"$2/etc/initramfs-tools/modules"
		;;
	dracut)
		# hostonly, and e1000e loaded by modprobe before udev starts (force_drivers).
		mkdir -p "$2/etc/dracut.conf.d"
		cat >"$2/etc/dracut.conf.d/vmtest.conf" <<-CONF
			hostonly="yes"
			add_drivers+=" virtio_pci virtio_blk crc32c_generic ext4 "
			force_drivers+=" e1000e "
			compress="zstd"
		CONF
		;;
	esac
}

# extract_initrd OVERLAY OUT: the image the guest built, off its disk.
extract_initrd() {
	rm -f "$work/disk.raw" "$2"
	qemu-img convert -O raw "$1" "$work/disk.raw" &&
		debugfs -R "dump /boot/initrd.img-$kver $2" "$work/disk.raw" >/dev/null 2>&1 &&
		[ -s "$2" ]
	local rc=$?
	rm -f "$work/disk.raw"
	return $rc
}

rc_all=0 boots=0
# boot NAME OVERLAY INITRD PHASE [KERNEL ARGUMENTS]
boot() {
	local name=$1 disk=$2 initrd=$3 phase=$4 args=${5:-} log=$work/$1.log rc=0
	boots=$((boots + 1))
	"$persist/run-vm.sh" -a "${VFIO_BIND_VM_ACCEL:-tcg}" -t "${VFIO_BIND_VM_TIMEOUT:-900}" \
		-l two -c "$args" -w "$work/run-$name" \
		"$kernel" "$initrd" "$disk" guest-early.sh "$phase" \
		>"$log" 2>"$log.err" </dev/null || rc=$?
	echo "# --- $name: $(grep '^run-vm: .* took ' "$log.err" | sed 's/^run-vm: //')"
	"$vm/tap-summary.sh" "vm-early $name" "$log" "$rc" || rc_all=1
}

for tool in ${VFIO_BIND_EARLY_TOOLS:-initramfs-tools dracut}; do
	rootfs=$("$persist/make-rootfs.sh" "$cache" "$tool") || {
		r=$?
		[ $r -eq 77 ] && { echo "# vm-early: $tool: root skipped"; continue; }
		fail "cannot make the $tool root"
	}
	overlay "$tool" "$work/overlay-$tool"
	"$persist/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$ko" \
		-x "$work/overlay-$tool" -s "$here/guest-early.sh" -o "$work/$tool.img" \
		2>>"$work/image.log" || { cat "$work/image.log"; fail "cannot build the $tool root image"; }
	disk=$work/$tool.qcow2
	rm -f "$disk"
	qemu-img create -q -f qcow2 -F raw -b "$work/$tool.img" "$disk"

	boot "$tool-prep" "$disk" "$work/boot.cpio.gz" prep
	if ! extract_initrd "$disk" "$work/$tool-initrd.img"; then
		echo "not ok - vm-early $tool: /boot/initrd.img-$kver is on the disk after the prep boot"
		rc_all=1
		continue
	fi
	echo "# vm-early $tool: the guest's initramfs is $(du -k "$work/$tool-initrd.img" | cut -f1) KiB"
	boot "$tool-check" "$disk" "$work/$tool-initrd.img" check "root=/dev/vda rw"
	boot "$tool-stale" "$disk" "$work/$tool-initrd.img" stale "root=/dev/vda rw"
done

[ "$boots" -gt 0 ] || skip "no initramfs tool's root could be made"
echo "vm-early: $boots boots, $([ $rc_all -eq 0 ] && echo 'all passed' || echo 'some failed')"
exit $rc_all
