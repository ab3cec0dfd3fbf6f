#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-n] [-s SCRIPT] [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-m MACHINE [-D DISK]]
#           [-r ROOT] [-w WORKDIR] [-M MEMORY] KERNEL INITRD SCENARIO
#
# One boot of a VM test guest (two when the kernel dies before the guest script starts:
# see the end), its serial console (ttyS0) copied to stdout. The machine
# is a q35 with an emulated Intel IOMMU (intel_iommu=on); -n leaves both out. Its
# devices come from MACHINE, else an e1000e (8086:10d3) and a virtio-net NIC, each
# behind its own PCIe root port so that each gets an IOMMU group of its own.
#   -s SCRIPT   guest script to run, vmscript=SCRIPT (default guest-tests.sh)
#   -t SECONDS  hard limit for each boot (default 300): a hung guest must not hang
#               CI. QEMU is killed then, exit status 124.
#   -a ACCEL    QEMU accelerator (default tcg: CI has no KVM).
#   -c CMDLINE  more kernel command line.
#   -m MACHINE  a file of QEMU arguments, one a line ('#' comments), that replaces the
#               two NICs: each suite describes its own devices there.
#   -D DISK     what "@DISK@" stands for in MACHINE.
#   -M MEMORY   the guest's memory (default 1G; the benchmark's 64 NICs want 2G).
#   -r ROOT     a qcow2 root disk at 00:10.0 (virtio-blk): the systemd guest of
#               persist/ and early/, whose console shows only failing units.
#   -w WORKDIR  the guest may ask for hotplug on its second serial port (ttyS1), through
#               FIFOs made in WORKDIR:
#                 guest: VMTEST-REQ N device_add e1000e,id=e1,bus=rp1,netdev=n1,romfile=
#                 host:  VMTEST-ACK N ok            or   VMTEST-ACK N error: TEXT
#               The host runs the command on QEMU's monitor (QMP, human-monitor-command);
#               for device_del it answers only once QEMU reports DEVICE_DELETED, when
#               the guest has let go of the device and its id and slot are free again.
#               Only device_add, device_del and info commands are taken. Limits: 30 s
#               for any monitor answer, 60 s for a device_del to complete.
# KERNEL is a bzImage or, faster under TCG, the uncompressed vmlinux (PVH entry).
# SCENARIO goes to the guest as vmtest=SCENARIO. What the host does, and the boot's
# duration, go to stderr as "run-vm: ..." lines. Exit status: QEMU's.

set -eu

iommu=yes
limit=300
accel=tcg
more=
machine=
disk=
root=
work=
memory=1G
script=guest-tests.sh
while getopts ns:t:a:c:m:D:r:w:M: opt; do
	case $opt in
	n) iommu=no ;;
	s) script=$OPTARG ;;
	t) limit=$OPTARG ;;
	a) accel=$OPTARG ;;
	c) more=$OPTARG ;;
	m) machine=$OPTARG ;;
	D) disk=$OPTARG ;;
	r) root=$OPTARG ;;
	w) work=$OPTARG ;;
	M) memory=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || {
	echo "usage: $0 [-n] [-s SCRIPT] [-t SECONDS] [-a ACCEL] [-c CMDLINE] [-m MACHINE [-D DISK]] [-r ROOT] [-w WORKDIR] [-M MEMORY] KERNEL INITRD SCENARIO" >&2
	exit 2
}
kernel=$1 initrd=$2 scenario=$3

say() { echo "run-vm: $*" >&2; }

# The devices: the MACHINE file's, else an e1000e and a virtio NIC. No option ROMs on
# NICs: iPXE would only slow the firmware down.
devices=()
if [ -n "$machine" ]; then
	while IFS= read -r arg; do
		case $arg in '' | '#'*) continue ;; esac
		devices+=("${arg//@DISK@/$disk}")
	done <"$machine"
else
	devices=(-netdev user,id=net0,restrict=on -netdev user,id=net1,restrict=on
		-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1
		-device e1000e,netdev=net0,bus=rp1,romfile=
		-device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2
		-device virtio-net-pci,netdev=net1,bus=rp2,romfile=)
fi
if [ -n "$root" ]; then
	devices+=(-drive "file=$root,format=qcow2,if=none,id=root"
		-device virtio-blk-pci,drive=root,bus=pcie.0,addr=0x10)
fi

# panic=-1 with -no-reboot turns a guest panic into QEMU exiting, not a hang.
# no_timer_check: the kernel's check that the timer ticks through the IO-APIC counts
# loops, which a vCPU descheduled on a busy host can miss; with interrupt remapping a
# miss is a panic. The timer works (QEMU's); the check is only noise here.
append="console=ttyS0 panic=-1 loglevel=4 no_timer_check"
iommu_dev=()
if [ "$iommu" = yes ]; then
	# Interrupt remapping stays on as on real hosts (under TCG it needs no split
	# irqchip). The IOMMU must come before the devices it translates for.
	iommu_dev=(-device intel-iommu)
	append="$append intel_iommu=on"
fi
# systemd: only failing units on the console, the TAP lines must not be interleaved
# with status.
[ -z "$root" ] || append="$append systemd.show_status=error"
append="$append vmscript=$script vmtest=$scenario"
[ -z "$more" ] || append="$append $more"


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

# boot_once: one boot, its console on stdout; its exit status in $rc.
boot_once() {
	# The hotplug channel and the monitor: FIFO pairs (NAME.in to QEMU, NAME.out from it),
	# opened read-write here, so no open blocks whether QEMU came up or not.
	channels=(-monitor none)
	if [ -n "$work" ]; then
		mkdir -p "$work"
		rm -f "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out
		mkfifo "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out
		exec {ctl_in}<>"$work/ctl.in" {ctl_out}<>"$work/ctl.out" {qmp_in}<>"$work/qmp.in" {qmp_out}<>"$work/qmp.out"
		channels=(-serial "pipe:$work/ctl" -chardev "pipe,id=qmp,path=$work/qmp" -mon chardev=qmp,mode=control)
	fi

	timeout -k 10 "$limit" qemu-system-x86_64 \
		-accel "$accel" -cpu max -smp 2 -m "$memory" \
		-machine q35 "${iommu_dev[@]}" \
		-nodefaults -nographic -no-reboot -serial stdio "${channels[@]}" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		"${devices[@]}" </dev/null &
	qemu=$!

	if [ -n "$work" ]; then
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
	fi
	rc=0
	wait "$qemu" || rc=$?
	if [ -n "$work" ]; then
		exec {ctl_in}>&- {ctl_out}>&- {qmp_in}>&- {qmp_out}>&-
		rm -f "$work"/ctl.in "$work"/ctl.out "$work"/qmp.in "$work"/qmp.out
	fi
}

# Under TCG on a loaded host the guest kernel can die before any test has started
# ("timer doesn't work through Interrupt-remapped IO-APIC", or an int3 left behind by
# code patching that another vCPU's translated code still holds): the emulator's fault,
# not the kernel's or the tool's. Such a boot (a panic or oops, and no line of the guest
# script yet) is booted once more, on the same disk (-r) as it was left; anything that
# crashes twice is reported as it is.
console=$(mktemp)
trap 'rm -f "$console"' EXIT
start=$(date +%s%N)
for attempt in 1 2; do
	# The console goes on to stdout through tee, which must have written it all out
	# before it is read back.
	exec {copy}> >(tee "$console")
	tee_pid=$!
	boot_once >&"$copy"
	exec {copy}>&-
	wait "$tee_pid" || true
	[ "$attempt" = 1 ] && grep -aqE 'Kernel panic - not syncing|Oops: |\] int3: ' "$console" &&
		! tr -d '\r' <"$console" | grep -aqE '^(# |ok |not ok |VMTEST)' || break
	say "the guest kernel crashed before the tests started (an emulator fault under load): booting once more"
done

ms=$((($(date +%s%N) - start) / 1000000))
say "$script '$scenario' boot (iommu=$iommu, ${machine:+$(basename "$machine"), }$accel) took $((ms / 1000)).$((ms % 1000 / 100)) s, exit $rc"
exit $rc
