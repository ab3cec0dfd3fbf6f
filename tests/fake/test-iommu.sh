#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# VFIO needs an IOMMU group, unless unsafe no-IOMMU mode is on.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0

test_bind_refuses_without_iommu_groups() {
	fake_iommu_off "$S"
	remember
	vb $E1000E
	assert_rc 1
	assert_unchanged
	assert_driver $E1000E e1000e
	assert_says 'intel_iommu=on'
}

test_bind_goes_ahead_in_noiommu_mode() {
	fake_iommu_off "$S"
	fake_noiommu "$S" Y
	remember
	vb $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
}

# --force skips the check; vfio-pci's probe then fails (EINVAL, as on a
# kernel booted without intel_iommu=on) and the device must go back.
test_bind_force_without_iommu_rolls_back() {
	fake_iommu_off "$S"
	remember
	vb --force 0000:00:03.0
	assert_rc 1
	assert_driver 0000:00:03.0 virtio-pci
	assert_override 0000:00:03.0 "(null)"
	assert_says 'intel_iommu=on'
}

# vfio not even loaded: no parameter file, so no noiommu mode either.
test_bind_refuses_without_iommu_and_vfio_module() {
	fake_iommu_off "$S"
	rm -rf "$S/module/vfio"
	remember
	vb $E1000E
	assert_rc 1
	assert_unchanged
	assert_says 'intel_iommu=on'
}

fake_main "$@"
