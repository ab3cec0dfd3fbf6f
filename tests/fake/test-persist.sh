#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Saved bindings: a bind is saved, --unbind forgets it, --restore re-applies
# it; bad or untrusted state files are refused without stopping the others.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
VF=0000:03:00.1
C=   # the config dir, set by each test from $T

# The entry of DEV: named by its address and its modalias.
saved() { # DEV
	for _f in "$T/config/pci-$1="*.conf; do
		echo "$_f"
		return
	done
}

assert_saved() { # DEV DRIVER
	[ -f "$(saved "$1")" ] || fail "no saved binding for $1"
	grep -qx "VFIO_BIND_DRIVER=$2" "$(saved "$1")" ||
		fail "saved binding of $1 does not name $2: $(cat "$(saved "$1")")"
}

assert_not_saved() { # DEV
	[ ! -e "$(saved "$1")" ] || fail "$1 is still saved"
}

# What a reboot does to a device: back on its host driver, no override.
reboot_device() { # DEV DRIVER
	fake_unbind "$S" "$1"
	fake_clear_override "$S" "$1"
	fake_bind "$S" "$1" "$2"
}

test_bind_saves_the_binding() {
	vb $E1000E
	assert_rc 0
	assert_saved $E1000E e1000e-vfio-pci
	grep -qx 'VFIO_BIND_MODALIAS=pci:v00008086d000010D3sv00008086sdA01Fbc02sc00i00' "$(saved $E1000E)" ||
		grep -q '^VFIO_BIND_MODALIAS=pci:v00008086d000010D3' "$(saved $E1000E)" ||
		fail "the device's identity is not saved"
	[ "$(stat -c %a "$(saved $E1000E)")" = 644 ] || fail "saved file mode is not 644"
	assert_no_temp_file
}

test_no_save_binds_without_saving() {
	vb --no-save $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_not_saved $E1000E
}

assert_no_temp_file() {
	! ls -A "$T/config" | grep -v '^\.lock$' | grep -q '^\.' || fail "a temporary file was left"
}

# The file is written before the kernel's work (its fsync overlaps it) and
# must go with the failure.
test_failed_bind_saves_nothing() {
	fake_probe_fail "$S" e1000e-vfio-pci EINVAL
	vb $E1000E
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_not_saved $E1000E
	assert_no_temp_file
}

# Saving is begun before the first write: when it cannot be, nothing moves.
test_bind_that_cannot_save_changes_nothing() {
	# The lock file is there already; no new file can be made next to it.
	mkdir -p "$T/config"
	: >"$T/config/.lock"
	chattr +i "$T/config" 2>/dev/null || skip "chattr +i is not supported here"
	vb $E1000E
	chattr -i "$T/config"
	assert_rc 1
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_says 'cannot save the binding'
	assert_not_saved $E1000E
	assert_no_temp_file
}

test_unbind_forgets_the_binding() {
	vb $E1000E
	assert_rc 0
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	assert_not_saved $E1000E
}

test_unbind_of_absent_device_forgets_it() {
	vb $E1000E
	assert_rc 0
	rm -f "$S/bus/pci/devices/$E1000E"
	vb --unbind $E1000E
	assert_rc 0
	assert_not_saved $E1000E
	assert_says 'not present|removed|forg'
}

test_restore_reapplies_after_reboot() {
	vb $E1000E $VF
	assert_rc 0
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	vb --restore
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_override $E1000E e1000e-vfio-pci
	assert_driver $VF mlx5_vfio_pci
	# Idempotent: a second run changes nothing.
	remember
	vb --restore
	assert_rc 0
	assert_unchanged
}

test_restore_named_device_only() {
	vb $E1000E $VF
	assert_rc 0
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	vb --restore $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VF mlx5_core
}

test_restore_of_absent_device_waits_for_it() {
	vb $E1000E
	assert_rc 0
	rm -f "$S/bus/pci/devices/$E1000E"
	vb --restore
	assert_rc 0
	[ -f "$(saved $E1000E)" ] || fail "the saved binding of an absent device was dropped"
}

test_restore_refuses_a_different_device_at_the_address() {
	vb $E1000E
	assert_rc 0
	reboot_device $E1000E e1000e
	sed -i 's/^VFIO_BIND_MODALIAS=.*/VFIO_BIND_MODALIAS=pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00/' \
		"$(saved $E1000E)"
	remember
	vb --restore
	assert_rc 1
	assert_says 'different device'
	assert_unchanged
}

test_restore_refuses_untrusted_file_and_restores_the_others() {
	vb $E1000E $VF
	assert_rc 0
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	chmod 0666 "$(saved $E1000E)"
	vb --restore
	assert_rc 1
	assert_says 'not trusted'
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_driver $VF mlx5_vfio_pci
}

test_restore_refuses_file_owned_by_another_user() {
	vb $E1000E
	assert_rc 0
	reboot_device $E1000E e1000e
	chown $NOBODY "$(saved $E1000E)"
	remember
	vb --restore $E1000E
	assert_rc 1
	assert_says 'not owned by root|not trusted'
	assert_unchanged
}

test_restore_refuses_symlinked_state_file() {
	vb $VF
	assert_rc 0
	reboot_device $VF mlx5_core
	mv "$(saved $VF)" "$T/elsewhere.conf"
	ln -s "$T/elsewhere.conf" "$(saved $VF)"
	remember
	vb --restore
	assert_rc 1
	assert_says 'link|not trusted'
	assert_unchanged
}

test_restore_skips_corrupt_files() {
	vb $E1000E
	assert_rc 0
	reboot_device $E1000E e1000e
	printf 'garbage without equals\n' >"$T/config/pci-$VIRTIO=x.conf"
	: >"$T/config/pci-0000:00:04.0=y.conf"
	head -c 9000 /dev/zero | tr '\0' 'x' >"$T/config/pci-0000:00:05.0.conf"
	printf 'VFIO_BIND_BUS=pci\n\001\002\000\003' >"$T/config/pci-0000:00:06.0.conf"
	vb --restore
	assert_rc 1
	assert_says 'corrupt|too large'
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VIRTIO virtio-pci
}

test_id_rule_binds_present_devices_and_is_saved() {
	vb --id 1af4:1041
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
	[ -f "$T/config/pci-id-1AF4:1041.conf" ] || fail "the ID rule is not saved"
	vb --list --json
	assert_rc 0
	grep -q '"saved": "id 1af4:1041"' "$T/out" || fail "--list does not show the rule"
}

test_id_rule_is_restored_for_devices_that_appear_later() {
	vb --id 1af4:1041
	assert_rc 0
	reboot_device $VIRTIO virtio-pci
	vb --restore $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
}

test_unbind_id_removes_rule_and_gives_devices_back() {
	vb --id 1af4:1041
	assert_rc 0
	vb --unbind --id 1af4:1041
	assert_rc 0
	assert_driver $VIRTIO virtio-pci
	assert_override $VIRTIO "(null)"
	[ ! -e "$T/config/pci-id-1AF4:1041.conf" ] || fail "the ID rule is still saved"
}

test_id_rule_for_no_device_is_saved_for_later() {
	vb --id 10de:2204
	assert_rc 0
	assert_says 'no such device now'
	[ -f "$T/config/pci-id-10DE:2204.conf" ] || fail "the ID rule is not saved"
}

test_bad_id_is_a_usage_error() {
	for id in 10de 10de:22 10de:2204:1 zzzz:2204 ''; do
		vb --id "$id"
		assert_rc 2
	done
	assert_unchanged
	[ -z "$(ls -A "$T/config")" ] || fail "something was saved"
}

test_list_shows_saved_devices() {
	vb $E1000E
	assert_rc 0
	vb --list --json
	assert_rc 0
	tr -d '\n' <"$T/out" | grep -q "\"device\": \"$E1000E\"[^}]*\"saved\": \"device\"" ||
		fail "--list does not show $E1000E as saved"
}

test_udev_export_prints_the_trusted_binding_only() {
	vb $E1000E
	assert_rc 0
	vb --udev-export $E1000E
	assert_rc 0
	grep -qx 'VFIO_BIND_DRIVER=e1000e-vfio-pci' "$T/out" || fail "no driver for udev"
	grep -qx 'VFIO_BIND_MODULE=e1000e_vfio_pci' "$T/out" || fail "no module for udev"
	chmod 0666 "$(saved $E1000E)"
	vb --udev-export $E1000E
	assert_rc 1
	[ ! -s "$T/out" ] || fail "an untrusted file reached udev: $(cat "$T/out")"
	chmod 0644 "$(saved $E1000E)"
	sed -i 's/^VFIO_BIND_MODALIAS=.*/VFIO_BIND_MODALIAS=pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00/' \
		"$(saved $E1000E)"
	vb --udev-export $E1000E
	assert_rc 1
	[ ! -s "$T/out" ] || fail "a binding saved for another device reached udev"
}

test_udev_export_gives_an_id_rule_for_its_devices() {
	vb --id 1af4:1041
	assert_rc 0
	vb --udev-export $VIRTIO
	assert_rc 0
	grep -qx 'VFIO_BIND_BUS=pci' "$T/out" || fail "no bus for udev"
	grep -q 'VFIO_BIND_DRIVER' "$T/out" && fail "an ID rule names no driver"
	vb --udev-export $E1000E
	assert_rc 1
}

test_unbind_id_keeps_devices_saved_by_address() {
	vb $VIRTIO
	assert_rc 0
	vb --id 1af4:1041
	assert_rc 0
	vb --unbind --id 1af4:1041
	assert_rc 0
	assert_says 'kept'
	assert_driver $VIRTIO vfio-pci
	[ -f "$(saved $VIRTIO)" ] || fail "the address binding was dropped with the rule"
}

# Parallel udev workers: every run takes its turn, nothing is torn.
test_parallel_restores_leave_consistent_state() {
	vb $E1000E $VF
	assert_rc 0
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	for i in 1 2 3 4 5 6 7 8; do
		env VFIO_BIND_SYSFS="$S" \
			VFIO_BIND_MODULES_DIR="$T/modules/lib/modules/$FAKE_KVER" \
			VFIO_BIND_MODPROBE_DIR="$T/modprobe.d" VFIO_BIND_CONFIG_DIR="$T/config" \
			LD_PRELOAD="$FAKE_SHIM" timeout "$FAKE_TIMEOUT" "$VFIO_BIND" --restore \
			"$([ $((i % 2)) = 0 ] && echo $E1000E || echo $VF)" \
			>"$T/out.$i" 2>&1 &
	done
	_bad=0
	for i in 1 2 3 4 5 6 7 8; do
		wait %$i 2>/dev/null || true
	done
	wait
	for i in 1 2 3 4 5 6 7 8; do
		grep -qi 'error\|fail\|cannot' "$T/out.$i" && {
			cat "$T/out.$i"
			_bad=1
		}
	done
	[ $_bad = 0 ] || fail "a parallel run failed"
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VF mlx5_vfio_pci
	assert_saved $E1000E e1000e-vfio-pci
	assert_saved $VF mlx5_vfio_pci
	assert_no_temp_file
}

fake_main "$@"
