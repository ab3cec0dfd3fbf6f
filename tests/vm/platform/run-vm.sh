#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-t SECONDS] [-a ACCEL] [-c CMDLINE] KERNEL INITRD SCRIPT SCENARIO
#
# One boot of the platform-bus guest, adapted from ../run-vm.sh (whose devices are
# fixed): a q35 without IOMMU and without NICs, whose ACPI tables describe two
# platform devices with host drivers in Debian's kernel:
#   QEMU0002:00  fw_cfg, always there       driver fw_cfg (module qemu_fw_cfg)
#   QEMU0001:00  -device pvpanic (ISA)      driver pvpanic-mmio
# SCRIPT runs in the guest (vmscript=), SCENARIO goes to it (vmtest=). The serial
# console goes to stdout; the boot's duration to stderr. Exits 124 when the hard limit
# of SECONDS (default 300) is reached: a hung guest must not hang CI.

set -eu

limit=300
accel=tcg
more=
while getopts t:a:c: opt; do
	case $opt in
	t) limit=$OPTARG ;;
	a) accel=$OPTARG ;;
	c) more=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 4 ] || { echo "usage: $0 [-t SECONDS] [-a ACCEL] [-c CMDLINE] KERNEL INITRD SCRIPT SCENARIO" >&2; exit 2; }
kernel=$1 initrd=$2 script=$3 scenario=$4

# panic=-1 with -no-reboot turns a guest panic into QEMU exiting, not a hang; so does
# the pvpanic device's report of it.
append="console=ttyS0 panic=-1 loglevel=4 vmscript=$script vmtest=$scenario"
[ -z "$more" ] || append="$append $more"

start=$(date +%s%N)
set +e
timeout -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp 2 -m 1G -machine q35 \
	-nodefaults -nographic -no-reboot -serial stdio -monitor none \
	-action panic=shutdown -device pvpanic \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	</dev/null
rc=$?
set -e
ms=$((($(date +%s%N) - start) / 1000000))
echo "run-vm: $script '$scenario' boot (no IOMMU, $accel) took $((ms / 1000)).$((ms % 1000 / 100)) s, exit $rc" >&2
exit $rc
