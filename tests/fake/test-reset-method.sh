#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --reset-method: set before the VFIO driver binds, saved, exported to udev,
# put back when the move fails, the kernel's default given back on --unbind;
# what the device does not offer is refused with nothing changed.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0

methods_of() { # DEV
	cat "$S/bus/pci/devices/$1/reset_method"
}

test_reset_method_is_set_saved_and_exported() {
	vb --reset-method bus $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ "$(methods_of $E1000E)" = bus ] || fail "reset_method is '$(methods_of $E1000E)'"
	grep -q '^VFIO_BIND_RESET_METHOD=bus$' "$T"/config/pci-$E1000E*.conf || fail "not saved"
	vb --udev-export $E1000E
	assert_rc 0
	assert_stdout_says '^VFIO_BIND_RESET_METHOD=bus$'
	vb --list --json $E1000E
	grep -q '"reset_method": *"bus"' "$T/out" || fail "--list: $(cat "$T/out")"
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	[ "$(methods_of $E1000E)" = "flr bus" ] || fail "--unbind left '$(methods_of $E1000E)'"
}

test_reset_method_order_is_kept() {
	vb --reset-method bus,flr $E1000E
	assert_rc 0
	[ "$(methods_of $E1000E)" = "bus flr" ] || fail "reset_method is '$(methods_of $E1000E)'"
}

test_a_method_the_device_lacks_changes_nothing() {
	remember
	vb --reset-method pm $E1000E
	assert_rc 1
	assert_says "does not offer reset method 'pm' \(it has: flr bus\)"
	assert_unchanged
}

test_no_reset_method_attribute_changes_nothing() {
	fake_no_reset_method "$S" $E1000E
	remember
	vb --reset-method bus $E1000E
	assert_rc 1
	assert_says "5.15"
	assert_unchanged
}

test_a_failed_bind_puts_the_methods_back() {
	fake_probe_fail "$S" e1000e-vfio-pci EIO
	vb --reset-method bus $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	[ "$(methods_of $E1000E)" = "flr bus" ] || fail "left '$(methods_of $E1000E)'"
}

test_restore_sets_the_saved_methods() {
	vb --reset-method bus $E1000E
	assert_rc 0
	fake_move "$S" $E1000E e1000e
	fake_clear_override "$S" $E1000E
	fake_reset_methods "$S" $E1000E "flr bus"
	vb --restore $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ "$(methods_of $E1000E)" = bus ] || fail "--restore left '$(methods_of $E1000E)'"
}

test_dry_run_lists_the_write_only() {
	remember
	vb --dry-run --reset-method bus $E1000E
	assert_rc 0
	assert_stdout_says "write 'bus' to .*/$E1000E/reset_method"
	assert_unchanged
}

test_bad_reset_methods_are_usage_errors() {
	remember
	for bad in nosuch flr,flr "" ",,"; do
		vb --reset-method "$bad" $E1000E
		assert_rc 2
	done
	vb --unbind --reset-method bus $E1000E
	assert_rc 2
	assert_unchanged
}

fake_main "$@"
