#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-vfio-cdev.sh KERNEL_TREE CACHE_DIR OUT_DIR
#
# Debian's 6.12 kernels are built without CONFIG_IOMMUFD, and so without VFIO's device
# cdev (/dev/vfio/devices/vfioN, CONFIG_VFIO_DEVICE_CDEV) and without no-IOMMU mode.
# This builds, out of tree from Debian's own linux-source (../fetch-source.sh), against
# the headers of the kernel fetch-kernel.sh unpacked into KERNEL_TREE:
#   OUT_DIR/iommufd/iommufd.ko     iommufd, /dev/iommu
#   OUT_DIR/vfio/vfio.ko           vfio with the device cdev, iommufd and no-IOMMU mode
#   OUT_DIR/vfio/vfio_iommu_type1.ko, OUT_DIR/vfio/pci/vfio-pci-core.ko,
#   OUT_DIR/vfio/pci/vfio-pci.ko   the rest of the stack, built again because the cdev
#                                  changes struct vfio_device and so the CRCs of vfio's
#                                  exports, which Debian's modules would not load against
# and prints them, one path a line, in the order they load. Debian's variant drivers
# and vfio-mdev are not rebuilt: a guest must leave them out.
#
# iommufd uses the span iterators of lib/interval_tree.c, which the kernel builds only
# under CONFIG_INTERVAL_TREE_SPAN_ITER (off in Debian's 6.12): that part of the file is
# compiled into iommufd.ko as span_iter.c (the kernel exports no such symbols to clash
# with; checked below).
#
# Exits 77 (skipped) when the kernel has no device cdev to build (before 6.6) or the
# source cannot be had, 0 printing nothing when the kernel has the cdev already, 1
# when the build fails.

set -eu

[ $# -eq 3 ] || { echo "usage: $0 KERNEL_TREE CACHE_DIR OUT_DIR" >&2; exit 2; }
tree=$(cd "$1" && pwd)
cache=$2
out=$3

say() { echo "build-vfio-cdev: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "$*"; exit 1; }

kver=$(basename "$tree")
kdir=$tree/usr/src/linux-headers-$kver
conf=$kdir/include/config/auto.conf
[ -f "$conf" ] || fail "no kernel headers (include/config/auto.conf) in $kdir"
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
major=${release%%.*}
minor=${release#*.}
minor=${minor%%[.-]*}
[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 6 ]; } ||
	skip "$release has no VFIO device cdev (Linux 6.6 and later)"
if grep -qx 'CONFIG_VFIO_DEVICE_CDEV=y' "$conf"; then
	say "$release has the VFIO device cdev already: nothing to build"
	exit 0
fi
grep -q '^CONFIG_INTERVAL_TREE_SPAN_ITER=y' "$conf" && span=no || span=yes

rc=0
src=$("$(dirname "$0")/../fetch-source.sh" "$tree" "$cache") || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ "$(cat "$out/.source" 2>/dev/null || true)" != "$src" ]; then
	rm -rf "$out"
	mkdir -p "$out/iommu"
	cp -pR "$src/drivers/iommu/iommufd" "$out/iommu/"
	# iommufd includes "../iommu-priv.h".
	cp -p "$src/drivers/iommu/iommu-priv.h" "$out/iommu/"
	mkdir -p "$out/vfio"
	cp -pR "$src/drivers/vfio/." "$out/vfio/"
	objs=$(sed -n '/^iommufd-y/,/^$/p' "$out/iommu/iommufd/Makefile" | grep -o '[a-z_]*\.o' | tr '\n' ' ')
	[ -n "$objs" ] || fail "cannot read iommufd's objects from its Makefile"
	if [ "$span" = yes ]; then
		{
			echo '// The span iterators of lib/interval_tree.c (see build-vfio-cdev.sh).'
			echo '#include <linux/interval_tree.h>'
			echo '#include <linux/export.h>'
			sed -n '/^#ifdef CONFIG_INTERVAL_TREE_SPAN_ITER$/,/^#endif/p' "$src/lib/interval_tree.c" |
				sed '1d;$d'
		} >"$out/iommu/iommufd/span_iter.c"
		grep -q 'interval_tree_span_iter_first' "$out/iommu/iommufd/span_iter.c" ||
			fail "no span iterators in $src/lib/interval_tree.c"
		objs="$objs span_iter.o"
	fi
	printf 'iommufd-y := %s\nobj-m += iommufd.o\n' "$objs" >"$out/iommu/iommufd/Kbuild"
	echo "$src" >"$out/.source"
fi

# The Kconfig symbols as make variables choose what the Makefiles build; the C code
# sees them through KCFLAGS, as autoconf.h would say them. No BTF (see
# ../build-module.sh).
cflags="-DCONFIG_IOMMUFD_MODULE=1 -DCONFIG_VFIO_DEVICE_CDEV=1 -DCONFIG_VFIO_NOIOMMU=1"
[ "$span" = yes ] && cflags="$cflags -DCONFIG_INTERVAL_TREE_SPAN_ITER=1"
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" -C "$kdir" M="$out/iommu/iommufd" CONFIG_IOMMUFD=m \
	CONFIG_DEBUG_INFO_BTF_MODULES= KCFLAGS="$cflags" modules >"$out/build-iommufd.log" 2>&1 || {
	cat "$out/build-iommufd.log" >&2
	fail "building iommufd from $src failed"
}
virqfd=CONFIG_VFIO_VIRQFD=
grep -qx 'CONFIG_VFIO_VIRQFD=y' "$conf" && virqfd=CONFIG_VFIO_VIRQFD=y
make -s -j"$jobs" -C "$kdir" M="$out/vfio" KBUILD_EXTRA_SYMBOLS="$out/iommu/iommufd/Module.symvers" \
	CONFIG_VFIO=m CONFIG_IOMMUFD=m CONFIG_VFIO_DEVICE_CDEV=y CONFIG_VFIO_GROUP=y \
	CONFIG_VFIO_CONTAINER=y "$virqfd" CONFIG_VFIO_IOMMU_TYPE1=m CONFIG_VFIO_PCI_CORE=m \
	CONFIG_VFIO_PCI=m CONFIG_VFIO_PLATFORM_BASE= CONFIG_VFIO_MDEV= CONFIG_VFIO_FSL_MC= \
	CONFIG_VFIO_CDX= CONFIG_VFIO_IOMMU_SPAPR_TCE= CONFIG_MLX5_VFIO_PCI= CONFIG_HISI_ACC_VFIO_PCI= \
	CONFIG_PDS_VFIO_PCI= CONFIG_VIRTIO_VFIO_PCI= CONFIG_NVGRACE_GPU_VFIO_PCI= CONFIG_QAT_VFIO_PCI= \
	CONFIG_DEBUG_INFO_BTF_MODULES= KCFLAGS="$cflags" modules >"$out/build-vfio.log" 2>&1 || {
	cat "$out/build-vfio.log" >&2
	fail "building drivers/vfio with the device cdev from $src failed"
}

kos="$out/iommu/iommufd/iommufd.ko $out/vfio/vfio.ko $out/vfio/vfio_iommu_type1.ko
$out/vfio/pci/vfio-pci-core.ko $out/vfio/pci/vfio-pci.ko"
for ko in $kos; do
	[ -f "$ko" ] || fail "the build made no $ko"
	case $(modinfo -F vermagic "$ko") in
	"$release "*) ;;
	*) fail "$ko has vermagic '$(modinfo -F vermagic "$ko")', not for $release" ;;
	esac
done
modinfo -F depends "$out/vfio/vfio.ko" | tr ',' '\n' | grep -qx iommufd ||
	fail "vfio.ko does not use iommufd: CONFIG_IOMMUFD did not take"
modinfo -F parm "$out/vfio/vfio.ko" | grep -q '^enable_unsafe_noiommu_mode:' ||
	fail "vfio.ko has no enable_unsafe_noiommu_mode: CONFIG_VFIO_NOIOMMU did not take"
# The span iterators must be iommufd's own: the kernel exports none of them.
if [ "$span" = yes ] && grep -q 'interval_tree_span_iter' "$kdir/Module.symvers"; then
	fail "$kver exports span iterators although its config has none"
fi

for ko in $kos; do
	echo "$ko"
done
