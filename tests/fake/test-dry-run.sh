#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --dry-run prints every step and does none of them.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
VF=0000:03:00.1

test_dry_run_changes_nothing_and_names_each_write() {
	vb --dry-run $E1000E
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	assert_says 'e1000e_vfio_pci'
	assert_says "$E1000E/driver_override"
	assert_says '/unbind'
	assert_says '/bind|drivers_probe'
}

# With the module loaded the driver's name is known: it must be the one
# written, not the module's.
test_dry_run_names_the_driver_of_a_loaded_module() {
	vb --dry-run $VF
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	assert_says "'?mlx5_vfio_pci'? .*$VF/driver_override"
	assert_says '/unbind'
}

test_dry_run_loads_no_module() {
	vb -n $VIRTIO
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	assert_not_loaded vfio_pci
	assert_says 'vfio_pci'
}

fake_main "$@"
