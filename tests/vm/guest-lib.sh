# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Helpers for the scripts that run inside the VM test guest (busybox sh), sourced as
# /guest-lib.sh. Results are TAP-like lines on stdout: "ok N - what", "not ok N - what",
# "# note", and a closing "1..N"; the host parses them off the serial console.

PCI=/sys/bus/pci
tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
diag() { echo "# $*"; }

# check DESCRIPTION COMMAND...: one test line, passing when COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# is EXPECTED COMMAND...: passes when COMMAND prints EXPECTED; shows what it got if not.
is() {
	desc=$1 want=$2
	shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "  expected '$want', got '$got'"
	fi
}

# matches TEXT REGEX: for checks on captured output.
matches() { printf '%s\n' "$1" | grep -q -- "$2"; }

# Closes the TAP stream; the exit status says whether everything passed.
# On failure the kernel's last words come along, since they often say why.
finish() {
	echo "1..$tap_n"
	diag "$tap_n tests, $tap_failed failed"
	[ "$tap_failed" -eq 0 ] && return 0
	dmesg | tail -n 30 | sed 's/^/#   dmesg: /'
	return 1
}

# find_pci VENDOR:DEVICE...: the address of the first PCI device with one of those ids.
find_pci() {
	for dev in "$PCI"/devices/*; do
		id="$(cat "$dev/vendor"):$(cat "$dev/device")"
		for want in "$@"; do
			[ "$id" = "0x${want%:*}:0x${want#*:}" ] && { basename "$dev"; return 0; }
		done
	done
	return 1
}

# edu_devices: QEMU's edu devices (1234:11e8) present, in bus order, on one line.
edu_devices() {
	for _dev in "$PCI"/devices/*; do
		[ "$(cat "$_dev/vendor"):$(cat "$_dev/device")" = 0x1234:0x11e8 ] && printf '%s\n' "${_dev##*/}"
	done | tr '\n' ' ' | sed 's/ $//'
}

# The state a test asserts on: driver link, override, IOMMU group, /dev/vfio node.
driver_of() {
	if [ -e "$PCI/devices/$1/driver" ]; then
		basename "$(readlink "$PCI/devices/$1/driver")"
	else
		echo "(none)"
	fi
}
override_of() { cat "$PCI/devices/$1/driver_override"; }
group_of() {
	[ -e "$PCI/devices/$1/iommu_group" ] && basename "$(readlink "$PCI/devices/$1/iommu_group")"
}
vfio_node_exists() { g=$(group_of "$1") && [ -c "/dev/vfio/$g" ]; }

# Kernel uptime in centiseconds, for timings (busybox date has no %N).
now_cs() { sed 's/^\([0-9]*\)\.\([0-9][0-9]\).*/\1\2/' /proc/uptime; }

# Prints the driver, override and group of each device, for reading failures.
show_state() {
	for d in "$@"; do
		diag "  $d: driver=$(driver_of "$d") override=$(override_of "$d") group=$(group_of "$d" || echo none)"
	done
}

# vb ARGS...: runs vfio-bind ($VB), bounded by $LIMIT seconds (default 120: a hung run
# must not hang the guest), and shows its output as diagnostics; exit status in $rc,
# stdout in $out, stderr in /tmp/vb.err, time taken in $ms.
vb() {
	t0=$(now_cs)
	out=$(timeout "${LIMIT:-120}" "$VB" "$@" 2>/tmp/vb.err)
	rc=$?
	ms=$(($(now_cs) - t0))0
	diag "\$ vfio-bind $* -> exit $rc (${ms} ms)"
	{ [ -z "$out" ] || echo "$out"; cat /tmp/vb.err; } | sed 's/^/#     /'
}
# said TEXT: the last vb printed TEXT, on stdout or stderr.
said() { printf '%s\n' "$out" | cat - /tmp/vb.err | grep -q -- "$1"; }
# verdict DESCRIPTION: one test line, passing when the command before it succeeded.
verdict() { if [ $? -eq 0 ]; then ok "$1"; else not_ok "$1"; fi; }
# The last vb's stdout without blanks, for matching JSON.
flat() { printf '%s' "$out" | tr -d ' \t\n'; }

# on DEVICE DRIVER OVERRIDE: the device is on DRIVER with that driver_override.
on() { [ "$(driver_of "$1")" = "$2" ] && [ "$(override_of "$1")" = "$3" ]; }
# state DESCRIPTION DEVICE DRIVER [OVERRIDE]: one test on where a device is.
state() {
	if on "$2" "$3" "${4:-(null)}"; then
		ok "$1"
	else
		not_ok "$1"
		diag "  expected $2 on $3 with override ${4:-(null)}"
		show_state "$2"
	fi
}
group_node() { echo "/dev/vfio/$(group_of "$1")"; }

# start_holder LOG ARGS...: vfio-holder ($HOLDER) ARGS in the background, pid in $hpid;
# returns once it holds everything (its "holding" line), or fails.
start_holder() {
	log=$1
	shift
	"$HOLDER" "$@" >"$log" 2>&1 &
	hpid=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q '^holder: holding' "$log" && { sed 's/^/#   /' "$log"; return 0; }
		kill -0 "$hpid" 2>/dev/null || break
		usleep 100000
		i=$((i + 1))
	done
	sed 's/^/#   /' "$log"
	return 1
}
alive() { kill -0 "$1" 2>/dev/null; }

# forced_unbind_waits DEVICE NODE HOLDER_LOG: "vfio-bind --unbind --force DEVICE" while
# the holder $hpid holds NODE (its output in HOLDER_LOG): it must say whom it waits for,
# still wait 2 s later, and finish with exit 0 only once the holder has let go.
forced_unbind_waits() {
	t0=$(now_cs)
	timeout "$LIMIT" "$VB" --unbind --force "$1" >/tmp/uf.out 2>/tmp/uf.err &
	upid=$!
	sleep 2
	check "--unbind --force says whom it waits for while it waits" \
		grep -q "waiting for process $hpid (vfio-holder) to let go of $2" /tmp/uf.err
	alive "$upid" && alive "$hpid"
	verdict "... and is still waiting while the holder holds"
	wait "$upid"
	rc=$?
	ms=$(($(now_cs) - t0))0
	diag "\$ vfio-bind --unbind --force $1 -> exit $rc (${ms} ms)"
	sed 's/^/#     /' /tmp/uf.out /tmp/uf.err
	is "... it finishes with exit 0 once the holder has let go" 0 echo "$rc"
	check "... which happened before it finished" grep -q '^holder: let go' "$3"
}
