#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Binding picks the right VFIO driver, loads its module and ends there.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
NVME=0000:00:04.0
VF=0000:03:00.1

# Nothing but the named devices may move.
others_untouched() {
	assert_driver 0000:00:00.0 -
	assert_driver 0000:00:1c.0 pcieport
	for _d in "$@"; do
		case $_d in
		e) assert_driver $E1000E e1000e ;;
		v) assert_driver $VIRTIO virtio-pci ;;
		n) assert_driver $NVME nvme ;;
		m) assert_driver $VF mlx5_core ;;
		esac
	done
}

# No unbind and no probe reached the fake kernel.
assert_no_rebind() {
	if grep -Eq '^\[[0-9]+\] (unbind|probe|load) ' "$S/.fake/log"; then
		fail "the device was moved: $(tr '\n' ';' <"$S/.fake/log")"
	fi
}

test_bind_e1000e_picks_e1000e_vfio_pci_and_loads_it() {
	assert_not_loaded e1000e_vfio_pci
	vb $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
	assert_loaded e1000e_vfio_pci
	# vfio_pci's catch-all alias lost: it must not be loaded for nothing.
	assert_not_loaded vfio_pci
	others_untouched v n m
}

test_bind_mellanox_vf_picks_mlx5_vfio_pci() {
	vb $VF
	assert_rc 0
	assert_driver $VF mlx5_vfio_pci
	assert_override $VF mlx5_vfio_pci
	assert_not_loaded vfio_pci
	others_untouched e v n
}

test_bind_virtio_falls_back_to_vfio_pci() {
	vb $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
	# The driver name, never the module name vfio_pci.
	assert_override $VIRTIO vfio-pci
	assert_loaded vfio_pci
	others_untouched e n m
}

test_bind_driver_option_overrides_the_choice() {
	vb -d vfio-pci $E1000E
	assert_rc 0
	assert_driver $E1000E vfio-pci
	assert_override $E1000E vfio-pci
	assert_loaded vfio_pci
	assert_not_loaded e1000e_vfio_pci

	vb --driver=vfio-pci $VF
	assert_rc 0
	assert_driver $VF vfio-pci
	assert_override $VF vfio-pci
	others_untouched v n
}

test_bind_already_on_chosen_driver_changes_nothing() {
	fake_load "$S" vfio_pci
	fake_move "$S" $E1000E vfio-pci
	remember
	vb -d vfio-pci $E1000E
	assert_rc 0
	assert_unchanged
	assert_no_rebind
}

test_bind_already_on_variant_without_driver_option_changes_nothing() {
	fake_load "$S" e1000e_vfio_pci
	fake_move "$S" $E1000E e1000e-vfio-pci
	remember
	vb $E1000E
	assert_rc 0
	assert_unchanged
	assert_no_rebind
}

test_bind_accepts_short_pci_address() {
	vb 00:03.0
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
	others_untouched e n m
}

test_bind_accepts_sysfs_path() {
	vb "$S/bus/pci/devices/$VIRTIO"
	assert_rc 0
	assert_driver $VIRTIO vfio-pci

	# The canonical path, below the root port.
	vb "$S/devices/pci0000:00/0000:00:1c.0/$VF"
	assert_rc 0
	assert_driver $VF mlx5_vfio_pci
	others_untouched e n
}

test_bind_waits_for_slow_unbind() {
	fake_unbind_delay "$S" $NVME 1500
	vb $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
	assert_override $NVME vfio-pci
	grep -q "unbind nvme $NVME (slow)" "$S/.fake/log" ||
		fail "nvme was never unbound"
}

test_bind_driverless_device() {
	fake_unbind "$S" $E1000E
	remember
	vb $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
}

test_bind_batch_binds_every_device() {
	vb $E1000E $VIRTIO $VF
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VIRTIO vfio-pci
	assert_driver $VF mlx5_vfio_pci
	others_untouched n
}

fake_main "$@"
