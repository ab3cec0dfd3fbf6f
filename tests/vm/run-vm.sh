#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-n] [-s SCRIPT] [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-m MACHINE [-D DISK]]
#           KERNEL INITRD SCENARIO
#
# Boots the VM test guest and copies its serial console to stdout. The machine is a
# q35 with an e1000e (8086:10d3) and a virtio-net NIC, each behind its own PCIe root
# port so that each gets an IOMMU group of its own. By default it has an emulated
# Intel IOMMU and boots with intel_iommu=on; -n leaves both out.
#   -s SCRIPT   guest script to run (default guest-tests.sh)
#   -t SECONDS  hard limit for the whole run (default 300): a hung guest must not
#               hang CI. Exit status 124 then.
#   -a ACCEL    QEMU accelerator (default tcg: CI has no KVM).
#   -c CMDLINE  more kernel command line.
#   -m MACHINE  a file of QEMU arguments, one a line ('#' comments), that replaces
#               the two NICs: each tier describes its own devices there.
#   -D DISK     what "@DISK@" stands for in MACHINE.
# KERNEL is a bzImage or, faster under TCG, the uncompressed vmlinux (PVH entry).
# SCENARIO goes to the guest as vmtest=SCENARIO. Prints the boot's duration to stderr.

set -eu

iommu=yes
limit=300
accel=tcg
more=
machine=
disk=
script=guest-tests.sh
while getopts ns:t:a:c:m:D: opt; do
	case $opt in
	n) iommu=no ;;
	s) script=$OPTARG ;;
	t) limit=$OPTARG ;;
	a) accel=$OPTARG ;;
	c) more=$OPTARG ;;
	m) machine=$OPTARG ;;
	D) disk=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || {
	echo "usage: $0 [-n] [-s SCRIPT] [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-m MACHINE [-D DISK]] KERNEL INITRD SCENARIO" >&2
	exit 2
}
kernel=$1 initrd=$2 scenario=$3

# The devices: the MACHINE file's, else an e1000e and a virtio NIC. No option
# ROMs on NICs: iPXE would only slow the firmware down.
set --
if [ -n "$machine" ]; then
	while IFS= read -r arg; do
		case $arg in '' | '#'*) continue ;; esac
		set -- "$@" "$(printf '%s' "$arg" | sed "s|@DISK@|$disk|g")"
	done <"$machine"
else
	set -- -netdev user,id=net0,restrict=on -netdev user,id=net1,restrict=on \
		-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1 \
		-device e1000e,netdev=net0,bus=rp1,romfile= \
		-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2 \
		-device virtio-net-pci,netdev=net1,bus=rp2,romfile=
fi

# panic=-1 with -no-reboot turns a guest panic into QEMU exiting, not a hang.
append="console=ttyS0 panic=-1 loglevel=4 vmscript=$script vmtest=$scenario"
iommu_dev=
if [ "$iommu" = yes ]; then
	# Interrupt remapping stays on as on real hosts (under TCG it needs no split
	# irqchip). The IOMMU must come before the devices it translates for.
	iommu_dev="-device intel-iommu"
	append="$append intel_iommu=on"
fi
[ -z "$more" ] || append="$append $more"

start=$(date +%s%N)
set +e
# shellcheck disable=SC2086 # iommu_dev is empty or an option and its argument
timeout -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp 2 -m 1G \
	-machine q35 $iommu_dev \
	-nodefaults -nographic -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	"$@" </dev/null
rc=$?
set -e
ms=$((($(date +%s%N) - start) / 1000000))
echo "run-vm: $script '$scenario' boot (iommu=$iommu, $accel) took $((ms / 1000)).$((ms % 1000 / 100)) s, exit $rc" >&2
exit $rc
