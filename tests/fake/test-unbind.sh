#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --unbind hands a device back to its host driver and clears the override.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0

test_unbind_returns_device_to_host_driver() {
	fake_load "$S" vfio_pci
	fake_move "$S" $E1000E vfio-pci
	remember
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	[ ! -e "$S/.fake/devices/$E1000E/override_null" ] ||
		fail "the override holds the text (null)"
}

# Left driverless with a VFIO override (say, by a script that failed).
test_unbind_driverless_device_with_override_returns_to_host() {
	fake_load "$S" vfio_pci
	fake_unbind "$S" $E1000E
	fake_set_override "$S" $E1000E vfio-pci
	remember
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
}

# Driverless, with an override that reads "(null)" (here the text, which
# blocks every driver): --unbind must clear it with "\n" and probe, so the
# device ends on its host driver.
test_unbind_driverless_device_returns_to_host_driver() {
	fake_unbind "$S" $E1000E
	fake_set_override "$S" $E1000E "(null)"
	remember
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	[ ! -e "$S/.fake/devices/$E1000E/override_null" ] ||
		fail "the override still holds the text (null)"
}

test_unbind_device_on_host_driver_changes_nothing() {
	vb --unbind $E1000E
	assert_rc 0
	assert_unchanged
	if grep -q "unbind e1000e $E1000E" "$S/.fake/log"; then
		fail "the host driver was torn off for nothing"
	fi
}

# No host driver left to claim it: the device ends with none, override
# cleared, and the run fails (exit 1) saying so: it is off VFIO as asked, but
# on no driver, and the user is told how to probe it again.
test_unbind_without_host_driver_clears_override() {
	fake_load "$S" vfio_pci
	fake_move "$S" $VIRTIO vfio-pci
	rm -rf "$S/bus/pci/drivers/virtio-pci" "$S/module/virtio_pci"
	: >"$S/.fake/modules/virtio_pci/drivers"
	remember
	vb --unbind $VIRTIO
	assert_rc 1
	assert_driver $VIRTIO -
	assert_override $VIRTIO "(null)"
	assert_says "$VIRTIO: it is off VFIO, but its host driver did not take it back"
	assert_says "drivers_probe"
	[ -z "$(ls -A "$T/config")" ] || fail "something was saved: $(ls -A "$T/config")"
}

# An ID rule still covers a device handed back by its address: it comes back
# at the next hotplug or boot, and the user is told so, and how to stop it.
test_unbind_of_a_device_an_id_rule_covers_says_so() {
	vb --id 8086:10d3
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	grep -qF "$E1000E: note: the saved rule for ID 8086:10D3 still covers it: it is bound again at the next hotplug or boot; 'vfio-bind --unbind --id 8086:10D3' removes the rule" "$T/err" ||
		fail "no note on stderr about the ID rule"
	[ -f "$T/config/pci-id-8086:10D3.conf" ] || fail "the rule went with the device"
	# JSON: on stderr too, the document unchanged.
	vb --json $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	vb --unbind --json $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	grep -q 'note: the saved rule for ID 8086:10D3' "$T/err" || fail "no note in JSON mode"
	grep -q 'note:' "$T/out" && fail "the note went to stdout"
	vb --no-save $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	vb --unbind -q $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	[ ! -s "$T/err" ] || fail "-q still says: $(cat "$T/err")"
	# Without the rule, nothing to say.
	vb --unbind --id 8086:10d3
	assert_rc 0
	assert_driver $E1000E e1000e
	[ ! -e "$T/config/pci-id-8086:10D3.conf" ] || fail "--unbind --id left the rule"
	vb --no-save $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	grep -q 'note:' "$T/err" && fail "a note without a rule"
	return 0
}

fake_main "$@"
