#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-bench.sh BUILDDIR SRCDIR
#
# The VM benchmark: vfio-bind against the floor (the three sysfs
# writes from a static shell), driverctl and dpdk-devbind.py, side by side in one boot
# of a real kernel (Debian's, under QEMU TCG, q35 with an Intel IOMMU), on a Debian
# bookworm root under systemd with Debian's driverctl and dpdk packages installed:
#   cycle    one e1000e to vfio-pci and back (and to the variant e1000e-vfio-pci,
#            which vfio-bind's own search picks, against the floor to that variant)
#   list     --list over NICS NICs (one e1000e, then virtio-net) behind as many
#            PCIe root ports
#   restore  --restore of 32 saved virtio-net devices against the floor's 32 x 3 writes
# Prints a table of medians and ratios. Figures, not a test: exits 0 when the guest
# ran to the end, whatever the figures; 77 (skipped) without qemu, the kernel, root,
# or the Debian archive the first time.
#
# Builds on tests/vm (host-lib.sh, run-vm.sh, make-image.sh, persist/make-rootfs.sh and
# persist/make-boot-initramfs.sh) and vm/ here (make-rootfs.sh: that root plus the
# peers; guest-bench.sh, bench.service). Work files and the console log stay in
# BUILDDIR/tests/bench/vm-work.
# Environment: as for tests/vm/host-lib.sh,
# VFIO_BIND_BENCH_REPS (cycle repetitions, default 15), VFIO_BIND_BENCH_LREPS (list,
# default 5: driverctl takes about a minute a listing), VFIO_BIND_BENCH_RREPS (restore,
# default 3),
# VFIO_BIND_BENCH_NICS (NICs, one per root port, default 64, 33 at least for
# restore), VFIO_BIND_BENCH_SUITES (default cycle,list,restore),
# VFIO_BIND_BENCH_ASLR=0 (boot the guest with norandmaps), VFIO_BIND_BENCH_TRACE=1
# (print the whole strace of one bind and one unbind),
# VFIO_BIND_VM_TIMEOUT (seconds for the boot, default 3600).

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILDDIR SRCDIR" >&2; exit 2; }
src=$(cd "$2" && pwd)
here=$src/tests/bench
vm=$src/tests/vm

. "$vm/host-lib.sh"
vm_setup vm-bench "$1" tests/bench/vm-work
vm_need qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe make mkfs.ext4 \
	timeout systemctl chroot flock
vm_need_root
busybox=$(command -v busybox)
! ldd "$busybox" >/dev/null 2>&1 || fail "$busybox is dynamically linked; install busybox-static"

reps=${VFIO_BIND_BENCH_REPS:-15}
lreps=${VFIO_BIND_BENCH_LREPS:-5}
rreps=${VFIO_BIND_BENCH_RREPS:-3}
nics=${VFIO_BIND_BENCH_NICS:-64}
suites=${VFIO_BIND_BENCH_SUITES:-cycle,list,restore}
limit=${VFIO_BIND_VM_TIMEOUT:-3600}
if [ "$nics" -lt 1 ] || [ "$nics" -gt 200 ]; then fail "VFIO_BIND_BENCH_NICS must be 1 to 200"; fi

vm_kernel
rootfs=$("$here/vm/make-rootfs.sh" "$cache") || exit $?
vm_variant
vm_install sbin/vfio-bind

# The guest's own: /bench/ with guest-bench.sh and a static busybox (the floor's shell),
# the same empty program linked statically and dynamically (to tell the cost of a start
# from the tool's), and bench.service, which runs the benchmark once the boot is through
# and powers off.
guest=$work/guest
rm -rf "$guest"
mkdir -p "$guest/bench" "$guest/etc/systemd/system"
install -m 0755 "$here/vm/guest-bench.sh" "$guest/bench/"
cp "$busybox" "$guest/bench/busybox"
"${CC:-cc}" -O2 -static -o "$guest/bench/nothing-static" "$here/vm/nothing.c"
"${CC:-cc}" -O2 -pie -fPIE -o "$guest/bench/nothing-dynamic" "$here/vm/nothing.c"
install -m 0644 "$here/vm/bench.service" "$guest/etc/systemd/system/"
if ! "$vm/persist/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" ||
	! "$vm/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$ko" -x "$guest" \
		-u bench.service -M dpdk.service -H vmbench -o "$work/root.img" 2>>"$work/image.log"; then
	cat "$work/image.log"
	fail "cannot build the boot initramfs or the root image"
fi
rm -f "$work/bench.qcow2"
qemu-img create -q -f qcow2 -F raw -b "$work/root.img" "$work/bench.qcow2"

# NICS root ports, eight to a slot of pcie.0 (functions 0..7, from slot 2 on), each with
# one NIC and no netdev: the NIC only has to be a PCI device with a driver. The first is
# the e1000e of the cycle, the others modern-only virtio-net: they have no I/O BAR, so
# their ports need no I/O window (SeaBIOS hangs once 64 KiB of port space runs out,
# which a dozen e1000e would do).
devices=()
for i in $(seq 0 $((nics - 1))); do
	slot=$((2 + i / 8)) fn=$((i % 8))
	[ "$slot" -lt 16 ] || slot=$((slot + 1)) # 00:10.0 is the disk
	mf=
	[ "$fn" -ne 0 ] || mf=,multifunction=on
	devices+=(-device "pcie-root-port,id=rp$i,bus=pcie.0,chassis=$((i + 1)),slot=$((i + 1)),addr=$(printf '0x%x.%d' "$slot" "$fn")$mf,io-reserve=0")
	if [ "$i" -eq 0 ]; then
		devices+=(-device "e1000e,id=e$i,bus=rp$i,romfile=")
	else
		devices+=(-device "virtio-net-pci,id=v$i,bus=rp$i,disable-legacy=on,disable-modern=off,romfile=")
	fi
done

printf '%s\n' "${devices[@]}" >"$work/machine"

append=
# VFIO_BIND_BENCH_ASLR=0: the guest without address-space randomization (norandmaps), to
# see the cycle without what TCG pays to translate again code that moved (suite start).
if [ "${VFIO_BIND_BENCH_ASLR:-1}" = 0 ]; then append="norandmaps "; fi
append="${append}bench.reps=$reps bench.lreps=$lreps bench.rreps=$rreps bench.suites=$suites bench.trace=${VFIO_BIND_BENCH_TRACE:-0}"
log=$work/console.log
echo "# vm-bench: booting $kver with $nics NICs under TCG (limit ${limit}s); console in $log"
start=$(date +%s)
rc=0
"$vm/run-vm.sh" -a "$accel" -t "$limit" -M 2G -m "$work/machine" -r "$work/bench.qcow2" \
	-c "$append" "$kernel" "$work/boot.cpio.gz" bench </dev/null >"$log" 2>"$log.err" || rc=$?
echo "# vm-bench: the boot took $(($(date +%s) - start)) s, qemu exit $rc"

tr -d '\r' <"$log" | grep -a '^BENCH-' >"$work/results.txt" || true
grep -q '^BENCH-DONE' "$work/results.txt" || {
	tr -d '\r' <"$log" | tail -n 30 | sed 's/^/#   /'
	fail "the guest did not finish (see $log)"
}
"$here/vm/report.sh" "$work/results.txt"
