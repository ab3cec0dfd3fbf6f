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
#   batch    (a boot of its own, not in the default set: half an hour) the first N
#            of 64 QEMU edu devices on the test driver vb_slow (tests/vm/batch: probe
#            and remove sleep 200 ms each), for N = 16 and 64: all to vfio-pci and
#            back in one go by the floor one device after the other and side by side,
#            vfio-bind with its default jobs and with --jobs 1, driverctl and
#            dpdk-devbind.py; N saved devices put back on vfio-pci by udev's rule
#            from add events (coldplug), by one --restore, and by both at once as a
#            boot runs them (vfio-bind.service beside udev); and the same floors and
#            vfio-bind on N virtio-net NICs, whose drivers are quick
# Prints a table of medians and ratios. Figures, not a test: exits 0 when the guest
# ran to the end, whatever the figures; 77 (skipped) without qemu, the kernel, root,
# or the Debian archive the first time.
#
# Builds on tests/vm (host-lib.sh, run-vm.sh, make-image.sh, persist/make-rootfs.sh,
# persist/make-boot-initramfs.sh, and for batch the machine and vb_slow of batch/) and
# vm/ here (make-rootfs.sh: that root plus the peers; guest-bench.sh, bench.service).
# Work files and the console logs stay in BUILDDIR/tests/bench/vm-work.
# Environment: as for tests/vm/host-lib.sh,
# VFIO_BIND_BENCH_REPS (cycle repetitions, default 15), VFIO_BIND_BENCH_LREPS (list,
# default 5: driverctl takes about a minute a listing), VFIO_BIND_BENCH_RREPS (restore,
# default 3), VFIO_BIND_BENCH_BREPS (batch, default 3),
# VFIO_BIND_BENCH_BATCH_SIZES (batch sizes N, 1 to 64, default 16,64),
# VFIO_BIND_BENCH_BATCH_TOOLS (only these of the batch's tools, by the names of its
# BENCH lines, for example parallel,vfio-bind,vfio-bind-nosave; default all),
# VFIO_BIND_BENCH_BATCH_DELAY_MS (vb_slow's sleep in each probe and remove, default 200;
# 1000 is about what mlx5_core takes to let go of a VF),
# VFIO_BIND_BENCH_NICS (NICs, one per root port, default 64, 33 at least for
# restore), VFIO_BIND_BENCH_SUITES (default cycle,list,restore; start and batch on
# request),
# VFIO_BIND_BENCH_ASLR=0 (boot the guest with norandmaps), VFIO_BIND_BENCH_TRACE=1
# (print the whole strace of one bind and one unbind),
# VFIO_BIND_VM_TIMEOUT (seconds for each boot, default 3600; 7200 for the batch boot,
# which took 31 minutes with 3 repetitions on a quiet host, 55 beside another guest).

set -eu

[ $# -eq 2 ] || { echo "usage: $0 BUILDDIR SRCDIR" >&2; exit 2; }
src=$(cd "$2" && pwd)
here=$src/tests/bench
vm=$src/tests/vm

. "$vm/host-lib.sh"
vm_setup vm-bench "$1" tests/bench/vm-work
vm_need qemu-system-x86_64 qemu-img busybox cpio gzip depmod modprobe modinfo make mkfs.ext4 \
	timeout systemctl chroot flock
vm_need_root
busybox=$(command -v busybox)
! ldd "$busybox" >/dev/null 2>&1 || fail "$busybox is dynamically linked; install busybox-static"

reps=${VFIO_BIND_BENCH_REPS:-15}
lreps=${VFIO_BIND_BENCH_LREPS:-5}
rreps=${VFIO_BIND_BENCH_RREPS:-3}
breps=${VFIO_BIND_BENCH_BREPS:-3}
bsizes=${VFIO_BIND_BENCH_BATCH_SIZES:-16,64}
btools=${VFIO_BIND_BENCH_BATCH_TOOLS:-}
bdelay=${VFIO_BIND_BENCH_BATCH_DELAY_MS:-200}
case $bdelay in '' | *[!0-9]*) fail "VFIO_BIND_BENCH_BATCH_DELAY_MS: a number of milliseconds" ;; esac
case $btools in *[!a-z0-9,-]*) fail "VFIO_BIND_BENCH_BATCH_TOOLS: a comma-separated list of tool names" ;; esac
nics=${VFIO_BIND_BENCH_NICS:-64}
suites=${VFIO_BIND_BENCH_SUITES:-cycle,list,restore}
limit=${VFIO_BIND_VM_TIMEOUT:-3600}
blimit=${VFIO_BIND_VM_TIMEOUT:-7200}
if [ "$nics" -lt 1 ] || [ "$nics" -gt 200 ]; then fail "VFIO_BIND_BENCH_NICS must be 1 to 200"; fi
# The batch suite boots a machine of its own (the edu devices); the others share the
# NIC machine.
nic_suites=$(echo ",$suites," | sed 's/,batch,/,/g; s/^,*//; s/,*$//')
batch=no
case ,$suites, in *,batch,*) batch=yes ;; esac
bmax=0
if [ "$batch" = yes ]; then
	for n in ${bsizes//,/ }; do
		case $n in '' | *[!0-9]*) fail "VFIO_BIND_BENCH_BATCH_SIZES: '$n' is not a number" ;; esac
		if [ "$n" -lt 1 ] || [ "$n" -gt 64 ]; then fail "VFIO_BIND_BENCH_BATCH_SIZES must be 1 to 64 (the edu machine's devices)"; fi
		[ "$n" -le "$bmax" ] || bmax=$n
	done
fi

vm_kernel
rootfs=$("$here/vm/make-rootfs.sh" "$cache") || exit $?
[ -z "$nic_suites" ] || vm_variant
if [ "$batch" = yes ]; then
	slow=$("$vm/batch/slow/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/slow") ||
		fail "cannot build vb_slow against $kver"
fi
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
"$vm/persist/make-boot-initramfs.sh" -k "$tree" -o "$work/boot.cpio.gz" 2>"$work/image.log" || {
	cat "$work/image.log"
	fail "cannot build the boot initramfs"
}

# image NAME MODULE.ko [TREE]: the root image NAME.img (the guest's tree, TREE over it,
# MODULE.ko indexed under updates/) and its copy-on-write overlay NAME.qcow2 for the boot.
image() {
	local trees=(-x "$guest")
	[ -z "${3:-}" ] || trees+=(-x "$3")
	"$vm/make-image.sh" -r "$rootfs" -k "$tree" -d "$work/destdir" -m "$2" "${trees[@]}" \
		-u bench.service -M dpdk.service -H vmbench -o "$work/$1.img" 2>>"$work/image.log" || {
		cat "$work/image.log"
		fail "cannot build the root image $1.img"
	}
	rm -f "$work/$1.qcow2"
	qemu-img create -q -f qcow2 -F raw -b "$work/$1.img" "$work/$1.qcow2"
}

# nic_ports COUNT FIRST_SLOT BASE KIND: COUNT root ports, eight to a slot of pcie.0
# (functions 0..7, from FIRST_SLOT on), ids and chassis numbers from BASE on, each with
# one NIC and no netdev: the NIC only has to be a PCI device with a driver. With KIND
# e1000e the first is the e1000e of the cycle; the others are modern-only virtio-net:
# they have no I/O BAR, so their ports need no I/O window (SeaBIOS hangs once 64 KiB of
# port space runs out, which a dozen e1000e would do). Appends to devices.
nic_ports() {
	local count=$1 first_slot=$2 base=$3 kind=$4 i id slot fn mf
	for i in $(seq 0 $((count - 1))); do
		id=$((base + i)) slot=$((first_slot + i / 8)) fn=$((i % 8))
		[ "$slot" -lt 16 ] || slot=$((slot + 1)) # 00:10.0 is the disk
		mf=
		[ "$fn" -ne 0 ] || mf=,multifunction=on
		devices+=(-device "pcie-root-port,id=rp$id,bus=pcie.0,chassis=$((id + 1)),slot=$((id + 1)),addr=$(printf '0x%x.%d' "$slot" "$fn")$mf,io-reserve=0")
		if [ "$i" -eq 0 ] && [ "$kind" = e1000e ]; then
			devices+=(-device "e1000e,id=e$id,bus=rp$id,romfile=")
		else
			devices+=(-device "virtio-net-pci,id=v$id,bus=rp$id,disable-legacy=on,disable-modern=off,romfile=")
		fi
	done
}

# boot NAME MACHINE WHAT CMDLINE [LIMIT]: one boot of NAME.qcow2 with MACHINE's devices, its
# console in NAME.log, its BENCH lines added to results.txt.
: >"$work/results.txt"
boot() {
	local name=$1 machine=$2 what=$3 append=$4 limit=${5:-$limit} log=$work/$1.log start rc=0
	echo "# vm-bench: booting $kver with $what under TCG (limit ${limit}s); console in $log"
	start=$(date +%s)
	"$vm/run-vm.sh" -a "$accel" -t "$limit" -M 2G -m "$machine" -r "$work/$name.qcow2" \
		-c "$append" "$kernel" "$work/boot.cpio.gz" bench </dev/null >"$log" 2>"$log.err" || rc=$?
	echo "# vm-bench: the boot took $(($(date +%s) - start)) s, qemu exit $rc"
	tr -d '\r' <"$log" | grep -a '^BENCH-' >"$work/$name.results" || true
	cat "$work/$name.results" >>"$work/results.txt"
	grep -q '^BENCH-DONE' "$work/$name.results" || {
		tr -d '\r' <"$log" | tail -n 30 | sed 's/^/#   /'
		fail "the guest did not finish (see $log)"
	}
}

append=
# VFIO_BIND_BENCH_ASLR=0: the guest without address-space randomization (norandmaps), to
# see the cycle without what TCG pays to translate again code that moved (suite start).
if [ "${VFIO_BIND_BENCH_ASLR:-1}" = 0 ]; then append="norandmaps "; fi
append="${append}bench.trace=${VFIO_BIND_BENCH_TRACE:-0}"

if [ -n "$nic_suites" ]; then
	image root "$ko"
	# NICS NICs from slot 2 on, the first an e1000e.
	devices=()
	nic_ports "$nics" 2 0 e1000e
	printf '%s\n' "${devices[@]}" >"$work/machine"
	boot root "$work/machine" "$nics NICs" \
		"$append bench.reps=$reps bench.lreps=$lreps bench.rreps=$rreps bench.suites=$nic_suites"
fi

if [ "$batch" = yes ]; then
	# The batch machine: tests/vm/batch's 64 edu devices (slots 1 to 8 of pcie.0), then as
	# many virtio-net NICs as the largest batch from slot 9 on. vb_slow is the image's
	# module, loaded at boot for the edu devices without its delay (64 probes of 200 ms
	# would take 13 s); the guest sets the delay.
	mkdir -p "$work/guest-batch/etc/modprobe.d"
	echo "options vb_slow delay_ms=0" >"$work/guest-batch/etc/modprobe.d/vb-slow.conf"
	image batch "$slow" "$work/guest-batch"
	devices=()
	nic_ports "$bmax" 9 64 virtio
	{ cat "$vm/batch/machine"; printf '%s\n' "${devices[@]}"; } >"$work/machine-batch"
	boot batch "$work/machine-batch" "64 edu devices and $bmax NICs" \
		"$append bench.breps=$breps bench.bsizes=$bsizes${btools:+ bench.btools=$btools} bench.bdelay=$bdelay bench.suites=batch" "$blimit"
fi

"$here/vm/report.sh" "$work/results.txt"
