#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-l LAYOUT] -w WORKDIR KERNEL INITRD DISK SCRIPT SCENARIO
#
# One boot of the persistence VM guest: Debian's kernel, the boot initramfs, DISK (a
# qcow2 overlay on the root image, kept between the boots of a reboot test) as a
# virtio disk, systemd as PID 1, and /vmtest/SCRIPT SCENARIO run by vmtest.service.
# The serial console (ttyS0) goes to stdout. A q35 with an Intel IOMMU and four PCIe
# root ports rp1..rp4, each a slot of its own (bus 01..04 in the guest):
#   LAYOUT one (default)  e1000e "e1" on rp1, virtio-net "v1" on rp2, rp3 and rp4 empty
#   LAYOUT two            the same and a second e1000e "e2" on rp3
# Netdevs n1..n4 are there for hot-added NICs.
#
# The guest asks for hotplug on its second serial port (ttyS1):
#   guest: VMTEST-REQ N device_add e1000e,id=e1,bus=rp1,netdev=n1,romfile=
#   host:  VMTEST-ACK N ok            or   VMTEST-ACK N error: TEXT
# The host runs the command on QEMU's monitor (QMP, human-monitor-command). For
# device_del it answers only once QEMU reports DEVICE_DELETED, when the guest has let
# go of the device and its id and slot are free again. Only device_add, device_del and
# info commands are taken. What the host does goes to stderr as "run-vm: ..." lines.
#
# Limits: SECONDS for the whole boot (default 300; QEMU is killed then, exit 124), 30 s
# for any monitor answer, 60 s for a device_del to complete. Prints the boot's duration
# to stderr. Exit status: QEMU's.

set -eu

limit=300
accel=tcg
more=
layout=one
work=
while getopts t:a:c:l:w: opt; do
	case $opt in
	t) limit=$OPTARG ;;
	a) accel=$OPTARG ;;
	c) more=$OPTARG ;;
	l) layout=$OPTARG ;;
	w) work=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 5 ] || [ -z "$work" ]; then
	echo "usage: $0 [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-l one|two] -w WORKDIR KERNEL INITRD DISK SCRIPT SCENARIO" >&2
	exit 2
fi
kernel=$1 initrd=$2 disk=$3 script=$4 scenario=$5

say() { echo "run-vm: $*" >&2; }

devices=(
	-device "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1"
	-device "pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2"
	-device "pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3"
	-device "pcie-root-port,id=rp4,bus=pcie.0,chassis=4,slot=4"
	-device "e1000e,id=e1,netdev=n1,bus=rp1,romfile="
	-device "virtio-net-pci,id=v1,netdev=n2,bus=rp2,romfile="
)
case $layout in
one) ;;
two) devices+=(-device "e1000e,id=e2,netdev=n3,bus=rp3,romfile=") ;;
*) echo "$0: unknown layout '$layout'" >&2; exit 2 ;;
esac

# panic=-1 with -no-reboot turns a guest panic into QEMU exiting, not a hang. Only
# failing units on the console: the TAP lines must not be interleaved with status.
append="console=ttyS0 panic=-1 loglevel=4 intel_iommu=on systemd.show_status=error"
append="$append vmscript=$script vmtest=$scenario"
[ -z "$more" ] || append="$append $more"

# FIFO pairs (NAME.in to QEMU, NAME.out from it) for the guest's requests and the
# monitor. Opened read-write here, so no open blocks whether QEMU came up or not.
mkdir -p "$work"
rm -f "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out
mkfifo "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out
exec {ctl_in}<>"$work/ctl.in" {ctl_out}<>"$work/ctl.out" {qmp_in}<>"$work/qmp.in" {qmp_out}<>"$work/qmp.out"

start=$(date +%s%N)
timeout -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu max -smp 2 -m 1G \
	-machine q35 -device intel-iommu \
	-nodefaults -nographic -no-reboot \
	-serial stdio -serial "pipe:$work/ctl" \
	-chardev "pipe,id=qmp,path=$work/qmp" -mon chardev=qmp,mode=control \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-netdev user,id=n1,restrict=on -netdev user,id=n2,restrict=on \
	-netdev user,id=n3,restrict=on -netdev user,id=n4,restrict=on \
	"${devices[@]}" \
	-drive "file=$disk,format=qcow2,if=none,id=root" \
	-device virtio-blk-pci,drive=root,bus=pcie.0,addr=0x10 \
	</dev/null &
qemu=$!

# Monitor lines are JSON objects, one a line. Events are remembered: a DEVICE_DELETED
# may come in while we wait for something else.
deleted=' '
qmp_line() {
	IFS= read -r -t "$1" line <&"$qmp_out" || return 1
	line=${line%$'\r'}
	case $line in
	*'"event": "DEVICE_DELETED"'*'"device": "'*)
		local id=${line#*'"device": "'}
		deleted="$deleted${id%%\"*} "
		;;
	esac
}
# The answer to the last command: its "return" or "error" line, in $line.
qmp_answer() {
	while qmp_line 30; do
		case $line in *'"return"'* | *'"error"'*) return 0 ;; esac
	done
	return 1
}
qmp_drain() {
	while read -r -t 0 <&"$qmp_out"; do qmp_line 1 || break; done
}

# hmp COMMAND: runs it; $reply is "ok" or "error: TEXT".
hmp() {
	printf '{"execute": "human-monitor-command", "arguments": {"command-line": "%s"}}\n' "$1" >&"$qmp_in"
	if ! qmp_answer; then
		reply="error: no answer from the QEMU monitor"
	elif [ "$line" = '{"return": ""}' ] || [ "${1%% *}" = info ]; then
		# device_add and device_del say nothing when they work; info is only for the log.
		reply=ok
	else
		reply=${line#*: }
		reply="error: ${reply//\\r\\n/ }"
	fi
}

# request N COMMAND: one request of the guest, answered on its port.
request() {
	local n=$1 cmd=$2 id waited=0 cmd_ok=no
	# Our own guest, but still: only these, and nothing that would break the JSON.
	case $cmd in
	*\"* | *\\*) ;;
	device_add\ * | device_del\ * | info\ *) cmd_ok=yes ;;
	esac
	if [ "$cmd_ok" != yes ]; then
		say "refused guest request $n: $cmd"
		printf 'VMTEST-ACK %s error: not a hotplug command\n' "$n" >&"$ctl_in"
		return
	fi
	id=${cmd#device_del }
	deleted=${deleted// $id / }
	hmp "$cmd"
	if [ "$reply" = ok ] && [ "${cmd%% *}" = device_del ]; then
		# The guest ejects the device; then QEMU frees its id and slot.
		while [ "${deleted#* "$id" }" = "$deleted" ]; do
			qmp_line 1 || waited=$((waited + 1))
			[ "$waited" -lt 60 ] || { reply="error: no DEVICE_DELETED for $id after 60 s"; break; }
		done
	fi
	say "guest request $n: $cmd -> $reply"
	printf 'VMTEST-ACK %s %s\n' "$n" "$reply" >&"$ctl_in"
}

# The monitor greets first; it takes commands after qmp_capabilities.
if qmp_line 60 && [ "${line#*QMP}" != "$line" ]; then
	printf '{"execute": "qmp_capabilities"}\n' >&"$qmp_in"
	qmp_answer || say "the QEMU monitor did not answer qmp_capabilities"
else
	say "no greeting from the QEMU monitor: hotplug requests will fail"
fi

partial=
while kill -0 "$qemu" 2>/dev/null; do
	qmp_drain
	if IFS= read -r -t 1 chunk <&"$ctl_out"; then
		req=$partial$chunk
		partial=
		req=${req%$'\r'}
		case $req in
		VMTEST-REQ\ *)
			req=${req#VMTEST-REQ }
			request "${req%% *}" "${req#* }"
			;;
		esac
	elif [ $? -gt 128 ]; then
		# A timeout keeps what came of a line so far.
		partial=$partial$chunk
	fi
done
rc=0
wait "$qemu" || rc=$?
exec {ctl_in}>&- {ctl_out}>&- {qmp_in}>&- {qmp_out}>&-
rm -f "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out

ms=$((($(date +%s%N) - start) / 1000000))
say "$script '$scenario' boot ($layout, $accel) took $((ms / 1000)).$((ms % 1000 / 100)) s, exit $rc"
exit $rc
