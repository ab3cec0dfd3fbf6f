#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A bind whose saved binding would be refused later (a config directory
# others can write, or not root's) is refused before the device moves.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0

assert_nothing_saved() {
	_left=$(ls -A "$T/config")
	[ -z "$_left" ] || fail "the config dir holds: $_left"
}

test_bind_into_a_group_writable_config_dir_is_refused() {
	chmod g+w "$T/config"
	remember
	vb $E1000E
	assert_rc 1
	assert_says "'$T/config' is not owned by root or is writable by others: a binding saved there would not be trusted"
	assert_says "chown root:root '$T/config' && chmod 755 '$T/config', or bind with --no-save"
	assert_driver $E1000E e1000e
	assert_unchanged
	assert_no_kernel_calls
	assert_nothing_saved
	vb --no-save $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_nothing_saved
}

test_bind_into_a_config_dir_not_owned_by_root_is_refused() {
	chown $NOBODY "$T/config"
	vb --json $E1000E $VIRTIO
	assert_rc 1
	assert_stdout_says '"status": "failed"'
	assert_says 'would not be trusted'
	assert_driver $E1000E e1000e
	assert_driver $VIRTIO virtio-pci
	assert_nothing_saved
}

test_id_rule_into_a_world_writable_config_dir_is_refused() {
	chmod o+w "$T/config"
	vb --id 8086:10d3
	assert_rc 1
	assert_says 'would not be trusted'
	assert_driver $E1000E e1000e
	assert_nothing_saved
	vb --no-save --id 8086:10d3
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_nothing_saved
}

test_dry_run_and_a_missing_config_dir_are_fine() {
	chmod g+w "$T/config"
	vb --dry-run $E1000E
	assert_rc 0
	rm -rf "$T/config"
	vb $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ "$(stat -c %a "$T/config")" = 755 ] || fail "the config dir is not made 0755"
	ls "$T/config/pci-$E1000E="*.conf >/dev/null 2>&1 || fail "the binding is not saved"
}

fake_main "$@"
