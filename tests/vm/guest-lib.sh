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
