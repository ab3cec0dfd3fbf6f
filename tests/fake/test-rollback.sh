#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Whatever fails, the device ends on the driver it had, with the override
# it had, and the message says why.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
VF=0000:03:00.1

test_bind_rolls_back_when_probe_fails() {
	fake_probe_fail "$S" e1000e-vfio-pci EINVAL
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_says "$E1000E"
	assert_says 'invalid argument|probe|EINVAL'
	# "(null)" read back must be restored as "\n", never as the text.
	[ ! -e "$S/.fake/devices/$E1000E/override_null" ] ||
		fail "the override holds the text (null)"
}

# A probe failing with ENOENT (a driver's missing firmware file) is the probe's error,
# not a bind file still to come: reported as it is, not waited on (the harness's
# 20 s limit is shorter than the wait for a registering driver).
test_bind_probe_failing_with_enoent_is_reported_not_waited_on() {
	fake_probe_fail "$S" e1000e-vfio-pci ENOENT
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_says 'No such file or directory'
}

test_bind_rollback_leaves_driverless_device_driverless() {
	fake_unbind "$S" $E1000E
	remember
	fake_probe_fail "$S" e1000e-vfio-pci ENXIO
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E -
	assert_override $E1000E "(null)"
	assert_says "$E1000E"
}

# Rollback itself fails: the host driver refuses the device again. The
# device is left without a driver and the message must say so.
test_bind_reports_when_host_driver_cannot_be_put_back() {
	fake_probe_fail "$S" e1000e-vfio-pci EINVAL
	fake_probe_fail "$S" e1000e EIO
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E -
	assert_override $E1000E "(null)"
	assert_says "$E1000E"
	assert_says "e1000e"
	grep -Eiq "(could ?n.t|cannot|can.t|failed to|not) .*(put|back|restore|rebind|re-bind|return)|without (a )?driver|no driver|driverless|unbound" \
		"$T/err" "$T/out" ||
		fail "nothing says the device was left without its driver"
}

# The module loads but registers no driver: nothing to bind to.
test_bind_fails_when_module_registers_no_driver() {
	: >"$S/.fake/modules/e1000e_vfio_pci/drivers"
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_says 'e1000e_vfio_pci'
}

# vfio-pci refuses a PF whose VFs are enabled (EBUSY).
test_bind_refuses_pf_with_vfs_enabled() {
	echo 2 >"$S/bus/pci/devices/$E1000E/sriov_numvfs"
	echo 7 >"$S/bus/pci/devices/$E1000E/sriov_totalvfs"
	remember
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_says "$E1000E"
}

# vfio-pci takes no bridges.
test_bind_root_port_ends_back_on_pcieport() {
	vb 0000:00:1c.0
	assert_rc 1
	assert_driver 0000:00:1c.0 pcieport
	assert_override 0000:00:1c.0 "(null)"
	assert_driver $VF mlx5_core
}

test_bind_restores_old_override_when_probe_fails() {
	fake_set_override "$S" $E1000E e1000e
	remember
	fake_probe_fail "$S" e1000e-vfio-pci EINVAL
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E e1000e
	# A literal "(null)" must not be left behind either.
	[ ! -e "$S/.fake/devices/$E1000E/override_null" ] ||
		fail "the override holds the text (null)"
}

test_bind_rolls_back_when_module_load_fails() {
	fake_load_fail "$S" e1000e_vfio_pci EKEYREJECTED
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_unchanged
	assert_says 'e1000e_vfio_pci'
}

test_bind_fails_untouched_when_module_file_missing() {
	rm -f "$(fake_ko "$T" e1000e_vfio_pci)"
	vb $E1000E
	assert_rc 1
	assert_unchanged
	assert_no_kernel_calls
	assert_says 'e1000e_vfio_pci'
}

test_bind_refuses_blacklisted_module() {
	echo 'blacklist e1000e_vfio_pci' >"$T/modprobe.d/vfio-test.conf"
	vb $E1000E
	assert_rc 1
	assert_unchanged
	assert_no_kernel_calls
	assert_says 'blacklist'
}

# A vanished device is on no driver: no message may say otherwise.
not_claimed_on() { # DRV
	if grep -Eq "(is|now) on '?$1'? now|on '?$1'? as it was" "$T/err" "$T/out"; then
		fail "says the vanished device is on $1"
	fi
}

test_bind_reports_device_vanishing_during_unbind() {
	fake_vanish_on "$S" $E1000E unbind
	vb $E1000E
	assert_rc 1
	[ ! -e "$S/bus/pci/devices/$E1000E" ] || fail "the device did not vanish"
	assert_says "$E1000E"
	assert_says 'vanish|gone|remov|no such device|disappear|not found|no longer'
	not_claimed_on e1000e
	assert_driver $VIRTIO virtio-pci
}

test_bind_reports_device_vanishing_after_override() {
	fake_vanish_on "$S" $E1000E driver_override
	vb $E1000E
	assert_rc 1
	[ ! -e "$S/bus/pci/devices/$E1000E" ] || fail "the device did not vanish"
	assert_says "$E1000E"
	not_claimed_on e1000e
}

# Bound, then hot-removed before the binary could check: gone, not bound.
test_bind_reports_device_vanishing_after_bind() {
	fake_vanish_on "$S" $VF bind
	vb --json $VF
	assert_rc 1
	not_claimed_on mlx5_core
	command -v python3 >/dev/null 2>&1 || return 0
	python3 - "$T/out" <<'PY' || fail "JSON claims a driver for a vanished device"
import json, sys
d = json.load(open(sys.argv[1]))[0]
assert d["status"] != "bound" and d["error"], d
assert d["driver"] is None, f"driver {d['driver']!r}"
PY
}

test_bind_batch_with_one_failure_binds_the_others() {
	fake_probe_fail "$S" vfio-pci EINVAL $VIRTIO
	vb $E1000E $VIRTIO $VF
	assert_rc 1
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VF mlx5_vfio_pci
	assert_driver $VIRTIO virtio-pci
	assert_override $VIRTIO "(null)"
	assert_says "$VIRTIO"
}

fake_main "$@"
