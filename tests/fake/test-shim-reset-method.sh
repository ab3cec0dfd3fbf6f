#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fake kernel's reset_method (Linux 5.15+), driven by plain writers under
# the shim, no binary: a list of methods the device supports is kept in the
# order given, anything else fails with EINVAL and changes nothing, "" (a
# newline) disables them all, "default" brings back what the device
# supports; a trailing newline is ignored.

FAKE_NO_BINARY=1
. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
NVME=0000:00:04.0
PORT=0000:00:1c.0

dev() {
	echo "$S/bus/pci/devices/$1"
}

# kw DEV VALUE: one write() of VALUE to DEV's reset_method, as
# `echo -n VALUE > reset_method`.
kw() {
	shim_run sh -c 'printf "%s" "$2" | dd of="$1" conv=notrunc status=none' \
		sh "$(dev "$1")/reset_method" "$2"
}

ok() {
	[ "$rc" = 0 ] || fail "$fake_cmd failed"
}

# The write failed with the errno whose strerror() text is given.
fails_with() { # TEXT
	[ "$rc" != 0 ] || fail "$fake_cmd succeeded, want '$1'"
	grep -q "$1" "$T/err" || fail "$fake_cmd: want '$1'"
}

# DEV's reset_method holds exactly TEXT and a newline, or nothing at all
# for an empty TEXT, as the kernel's reset_method_show() prints it.
assert_reset_method() { # DEV TEXT
	_f=$(dev "$1")/reset_method
	[ -f "$_f" ] || fail "$1 has no reset_method"
	if [ -z "$2" ]; then
		[ ! -s "$_f" ] ||
			fail "$1 reset_method is '$(od -c "$_f" | head -2)', want empty"
		return 0
	fi
	printf '%s\n' "$2" | cmp -s - "$_f" ||
		fail "$1 reset_method is '$(od -c "$_f" | head -2)', want '$2\\n'"
}

test_reset_method_in_the_standard_tree() {
	assert_reset_method $E1000E "flr bus"
	assert_reset_method $NVME "flr bus"
	assert_reset_method 0000:03:00.1 "flr bus"
	# Bridges, the host bridge included: a bus reset only.
	assert_reset_method $PORT bus
	assert_reset_method 0000:00:00.0 bus
	[ "$(cat "$S/.fake/devices/$E1000E/reset_methods")" = "flr bus" ] ||
		fail "e1000e does not support 'flr bus'"
	[ "$(cat "$S/.fake/devices/$PORT/reset_methods")" = bus ] ||
		fail "the root port does not support 'bus'"
}

test_reset_method_keeps_a_supported_order() {
	kw $E1000E "bus flr"
	ok
	assert_reset_method $E1000E "bus flr"
	grep -q "reset_method $E1000E 'bus flr'" "$S/.fake/log" ||
		fail "the write is not in the log"
	kw $E1000E bus
	ok
	assert_reset_method $E1000E bus
	# Extra spaces between, before and after the names do not count.
	kw $E1000E "  flr   bus "
	ok
	assert_reset_method $E1000E "flr bus"
	# Any order of what the device supports, a subset included.
	fake_reset_methods "$S" $NVME "acpi flr af_flr pm bus"
	assert_reset_method $NVME "acpi flr af_flr pm bus"
	kw $NVME "pm acpi"
	ok
	assert_reset_method $NVME "pm acpi"
	# Other devices keep theirs.
	assert_reset_method $E1000E "flr bus"
	assert_reset_method $PORT bus
}

test_reset_method_refuses_an_unsupported_method() {
	kw $E1000E bus
	ok
	remember
	for v in pm "flr pm" "bus pm flr" acpi device_specific cxl_bus af_flr; do
		kw $E1000E "$v"
		fails_with "Invalid argument"
		assert_unchanged
	done
	grep -q "reset_method $E1000E: unsupported method 'pm': -EINVAL" \
		"$S/.fake/log" || fail "the refusal is not in the log"
	kw $PORT flr
	fails_with "Invalid argument"
	assert_unchanged
	# A shell's `echo pm >reset_method` truncates no attribute either (dash
	# says "I/O error" whatever the errno).
	shim_run sh -c 'echo pm >"$1"' sh "$(dev $E1000E)/reset_method"
	[ "$rc" != 0 ] || fail "$fake_cmd succeeded"
	assert_unchanged
}

test_reset_method_refuses_an_unknown_name() {
	remember
	# The kernel splits on spaces only, and names are case-sensitive.
	for v in reset FLR "flr,bus" "flr	bus" "flr bogus" "bus flr x" \
		"default flr"; do
		kw $E1000E "$v"
		fails_with "Invalid argument"
		assert_unchanged
	done
	grep -q "reset_method $E1000E: invalid method 'reset': -EINVAL" \
		"$S/.fake/log" || fail "the refusal is not in the log"
	# At most 7 names, the same one more than once included.
	kw $E1000E "flr flr flr flr flr flr flr bus"
	fails_with "Invalid argument"
	assert_unchanged
	kw $E1000E "flr flr flr flr flr flr bus"
	ok
	assert_reset_method $E1000E "flr flr flr flr flr flr bus"
}

test_reset_method_empty_disables_all() {
	kw $E1000E "
"
	ok
	assert_reset_method $E1000E ""
	grep -q "reset_method $E1000E '': all disabled" "$S/.fake/log" ||
		fail "the write is not in the log"
	kw $NVME " "
	ok
	assert_reset_method $NVME ""
	# A write() of nothing never reaches the kernel's store(): "" is "\n".
	if command -v perl >/dev/null; then
		remember
		shim_run perl -e 'open(my $f, ">>", $ARGV[0]) or die "$!\n";
			defined(syswrite($f, "", 0)) or die "$!\n"' \
			"$(dev $PORT)/reset_method"
		ok
		grep -q "reset_method $PORT: nothing written" "$S/.fake/log" ||
			fail "the empty write did not reach the model"
		assert_unchanged
	fi
	# Still refused when all are disabled.
	kw $E1000E pm
	fails_with "Invalid argument"
	assert_reset_method $E1000E ""
}

test_reset_method_default_restores_the_supported_list() {
	kw $E1000E "
"
	kw $E1000E default
	ok
	assert_reset_method $E1000E "flr bus"
	grep -q "reset_method $E1000E default: 'flr bus'" "$S/.fake/log" ||
		fail "the write is not in the log"
	kw $E1000E bus
	kw $E1000E "default
"
	ok
	assert_reset_method $E1000E "flr bus"
	fake_reset_methods "$S" $NVME "pm bus"
	kw $NVME bus
	kw $NVME default
	ok
	assert_reset_method $NVME "pm bus"
}

test_reset_method_ignores_a_trailing_newline() {
	kw $E1000E "bus flr
"
	ok
	assert_reset_method $E1000E "bus flr"
	kw $E1000E "bus
"
	ok
	assert_reset_method $E1000E bus
	shim_run sh -c 'echo flr >"$1"' sh "$(dev $E1000E)/reset_method"
	ok
	assert_reset_method $E1000E flr
}

test_reset_method_absent_before_linux_5_15() {
	fake_no_reset_method "$S" $E1000E
	[ ! -e "$(dev $E1000E)/reset_method" ] || fail "reset_method is still there"
	remember
	# sysfs makes no files: every way of writing fails, none leaves one.
	shim_run sh -c 'echo bus >"$1"' sh "$(dev $E1000E)/reset_method"
	fails_with "Permission denied"
	kw $E1000E bus
	fails_with "Permission denied"
	shim_run sh -c 'printf bus | dd of="$1" conv=notrunc,nocreat status=none' \
		sh "$(dev $E1000E)/reset_method"
	fails_with "No such file"
	assert_unchanged
	fake_reset_methods "$S" $E1000E "flr pm"
	assert_reset_method $E1000E "flr pm"
	kw $E1000E pm
	ok
	assert_reset_method $E1000E pm
}

test_reset_method_write_to_removed_device_fails() {
	fake_vanish_on "$S" $E1000E reset_method
	shim_run sh -c '
		exec 3<>"$1/driver_override"
		printf bus | dd of="$1/reset_method" conv=notrunc status=none ||
			exit 4
		[ -e "$1" ] && exit 3
		printf x | dd of=/dev/fd/3 conv=notrunc status=none' sh "$(dev $E1000E)"
	[ "$rc" != 4 ] || fail "the reset_method write failed"
	[ "$rc" != 3 ] || fail "the device did not vanish"
	fails_with "No such device"
}

# As with driver_override, a write holds the device's lock: a slow unbind of
# one device holds up its reset_method write, not another device's.
test_reset_method_takes_the_device_lock() {
	fake_unbind_delay "$S" $E1000E 600
	shim_run sh -c '
		log=$1 dev=$2
		printf %s "$3" | dd of="$dev/driver/unbind" conv=notrunc status=none &
		n=0
		until grep -q "slow remove" "$log"; do
			n=$((n + 1))
			[ $n -lt 500 ] || exit 1
			sleep 0.02
		done
		printf bus | dd of="$4/reset_method" conv=notrunc status=none &
		printf bus | dd of="$dev/reset_method" conv=notrunc status=none
		wait' sh "$S/.fake/log" "$(dev $E1000E)" $E1000E "$(dev $NVME)"
	ok
	assert_reset_method $E1000E bus
	assert_reset_method $NVME bus
	# In log order: NVMe's write during the slow remove, e1000e's after it.
	order=$(grep -Eo "reset_method $NVME|reset_method $E1000E|unbind e1000e $E1000E \(slow\)" \
		"$S/.fake/log" | tr '\n' ';')
	[ "$order" = "reset_method $NVME;unbind e1000e $E1000E (slow);reset_method $E1000E;" ] ||
		fail "writes in the order '$order'"
}

fake_main "$@"
