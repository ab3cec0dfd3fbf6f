#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-t SECONDS] [-a ACCEL] [-c CMDLINE] KERNEL INITRD DISK SCRIPT SCENARIO
#
# One boot of the safety guest, adapted from ../run-vm.sh (which has a fixed set of
# devices). A q35 with an emulated Intel IOMMU (intel_iommu=on), no firmware option
# ROMs, and:
#   rp1  virtio-net-pci "vnet"       a NIC of its own group: taken up, addressed, held
#   rp2  virtio-blk-pci "vblk"       DISK (raw), formatted and mounted in the guest
#   rp3  pcie-pci-bridge "pcibr"     a conventional PCI bus behind which:
#          addr 1  e1000  "nic1"     8086:100e, vfio-pci's
#          addr 2  e1000e "nic2"     8086:10d3, the test variant's (e1000e_vfio_pci)
#        share one IOMMU group: the IOMMU sees only the bridge's requester ID.
#   rp4  nvme "nvme"                 1b36:0010 with SR-IOV (2 VFs), no namespace
#   pcie.0 VGA "vga"                 1234:1111, the boot VGA device
# SCRIPT runs in the guest (vmscript=), SCENARIO goes to it (vmtest=). The serial
# console goes to stdout; the boot's duration to stderr. Exits 124 when the hard
# limit of SECONDS (default 300) is reached: a hung guest must not hang CI.

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
[ $# -eq 5 ] || {
	echo "usage: $0 [-t SECONDS] [-a ACCEL] [-c CMDLINE] KERNEL INITRD DISK SCRIPT SCENARIO" >&2
	exit 2
}
kernel=$1 initrd=$2 disk=$3 script=$4 scenario=$5

# panic=-1 with -no-reboot turns a guest panic into QEMU exiting, not a hang.
append="console=ttyS0 panic=-1 loglevel=4 intel_iommu=on vmscript=$script vmtest=$scenario"
[ -z "$more" ] || append="$append $more"

start=$(date +%s%N)
set +e
# The IOMMU must come before the devices it translates for.
timeout -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp 2 -m 1G \
	-machine q35 -device intel-iommu \
	-nodefaults -nographic -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-netdev user,id=n0,restrict=on -netdev user,id=n1,restrict=on \
	-netdev user,id=n2,restrict=on \
	-drive if=none,id=d0,file="$disk",format=raw \
	-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1 \
	-device virtio-net-pci,id=vnet,netdev=n0,bus=rp1,romfile= \
	-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2 \
	-device virtio-blk-pci,id=vblk,drive=d0,bus=rp2,romfile= \
	-device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3 \
	-device pcie-pci-bridge,id=pcibr,bus=rp3 \
	-device e1000,id=nic1,netdev=n1,bus=pcibr,addr=1,romfile= \
	-device e1000e,id=nic2,netdev=n2,bus=pcibr,addr=2,romfile= \
	-device pcie-root-port,id=rp4,bus=pcie.0,chassis=4,slot=4 \
	-device nvme-subsys,id=nvss,nqn=vfio-bind-test \
	-device nvme,id=nvme,serial=vfio-bind-test,subsys=nvss,bus=rp4,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2 \
	-device VGA,id=vga,bus=pcie.0,romfile= \
	</dev/null
rc=$?
set -e
ms=$((($(date +%s%N) - start) / 1000000))
echo "run-vm: $script '$scenario' boot ($accel) took $((ms / 1000)).$((ms % 1000 / 100)) s, exit $rc" >&2
exit $rc
