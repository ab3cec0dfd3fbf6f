#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Early boot: what the initramfs runs (--restore --initramfs, --initramfs-plan), what
# the real root then makes of it (a stale copy's binding handed back, --list), and the
# notice that a change to the saved set makes the initramfs's copy stale.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0
NVME=0000:00:04.0
VF=0000:03:00.1

reboot_device() { # DEV DRIVER
	fake_unbind "$S" "$1"
	fake_clear_override "$S" "$1"
	fake_bind "$S" "$1" "$2"
}

record_of() { # DEV
	echo "$T/run/early/pci-$1"
}

# The files by which vfio-bind knows the system's initramfs tool.
with_initramfs_tools() {
	mkdir -p "$T/system/etc/kernel/postinst.d" "$T/system/usr/share/initramfs-tools/hooks"
	: >"$T/system/etc/kernel/postinst.d/initramfs-tools"
	: >"$T/system/usr/share/initramfs-tools/hooks/vfio-bind"
}

with_dracut() {
	mkdir -p "$T/system/usr/bin" "$T/system/usr/lib/dracut/modules.d/90vfio-bind"
	: >"$T/system/usr/bin/dracut"
	: >"$T/system/usr/lib/dracut/modules.d/90vfio-bind/module-setup.sh"
}

notices() {
	grep -c 'initramfs is out of date' "$T/err"
}

test_initramfs_restore_binds_and_records_each_saved_device() {
	vb $E1000E $VF
	assert_rc 0
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	vb --restore --initramfs --quiet
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VF mlx5_vfio_pci
	grep -qx 'driver=e1000e-vfio-pci' "$(record_of $E1000E)" || fail "no record of $E1000E"
	grep -qx 'driver=mlx5_vfio_pci' "$(record_of $VF)" || fail "no record of $VF"
	[ ! -e "$(record_of $VIRTIO)" ] || fail "a record of a device that is not saved"
	# A second run in the initramfs (its last script) keeps them.
	vb --restore --initramfs --quiet
	assert_rc 0
	[ -e "$(record_of $E1000E)" ] || fail "the record went"
}

test_plain_restore_leaves_no_record() {
	vb $E1000E
	reboot_device $E1000E e1000e
	vb --restore
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ ! -e "$(record_of $E1000E)" ] || fail "--restore without --initramfs left a record"
}

test_boot_hands_back_a_device_a_stale_initramfs_bound() {
	with_initramfs_tools
	vb $E1000E $VF
	reboot_device $E1000E e1000e
	reboot_device $VF mlx5_core
	vb --restore --initramfs --quiet
	# Unbound in the last boot; the initramfs still had its copy.
	rm "$T"/config/pci-$E1000E=*.conf
	vb --restore --quiet
	assert_rc 0
	assert_driver $E1000E e1000e
	assert_override $E1000E '(null)'
	assert_driver $VF mlx5_vfio_pci
	grep -q "$E1000E: the initramfs bound it to e1000e-vfio-pci, but its binding is no longer saved: handed back to e1000e" "$T/err" ||
		fail "the hand-back is not said (even with --quiet): $(cat "$T/err")"
	grep -q "update-initramfs -u" "$T/err" || fail "it does not say how to refresh the initramfs"
	[ ! -e "$(record_of $E1000E)" ] || fail "the record of the handed-back device stays"
	[ -e "$(record_of $VF)" ] || fail "the record of the device still saved went"
	# Once done, nothing more to do.
	remember
	vb --restore --quiet
	assert_rc 0
	assert_unchanged
}

test_boot_leaves_a_device_someone_else_moved_since() {
	vb $E1000E
	reboot_device $E1000E e1000e
	vb --restore --initramfs --quiet
	rm "$T"/config/pci-$E1000E=*.conf
	fake_move "$S" $E1000E vfio-pci
	fake_set_override "$S" $E1000E vfio-pci
	vb --restore --quiet
	assert_rc 0
	assert_driver $E1000E vfio-pci
}

test_list_says_which_saved_devices_the_initramfs_bound() {
	vb $E1000E $VF
	reboot_device $E1000E e1000e
	vb --restore --initramfs $E1000E
	vb --list --json
	assert_rc 0
	python3 - "$T/out" <<'PY' || fail "early_boot is wrong"
import json, sys
by = {d["device"]: d for d in json.load(open(sys.argv[1]))}
assert by["0000:00:02.0"]["early_boot"] is True, by["0000:00:02.0"]
assert by["0000:03:00.1"]["early_boot"] is False, by["0000:03:00.1"]
assert by["0000:00:03.0"]["early_boot"] is None, by["0000:00:03.0"]
assert by["0000:00:02.0"]["host_driver_builtin"] is None
PY
	vb --list
	assert_stdout_says 'EARLY'
}

test_a_change_to_the_saved_set_says_once_how_to_refresh_the_initramfs() {
	with_initramfs_tools
	vb $E1000E $VF
	assert_rc 0
	[ "$(notices)" = 1 ] || fail "want one notice, got $(notices): $(cat "$T/err")"
	assert_says "'update-initramfs -u -k all'"
	# Binding what is bound and saved changes nothing.
	vb $E1000E
	[ "$(notices)" = 0 ] || fail "a bind that changed nothing said the initramfs is stale"
	vb --json --unbind $E1000E
	assert_rc 0
	[ "$(notices)" = 1 ] || fail "--unbind did not say the initramfs is stale"
	python3 -m json.tool "$T/out" >/dev/null || fail "the notice broke the JSON on stdout"
	! grep -q initramfs "$T/out" || fail "the notice went to stdout"
	vb --id 1af4:1041
	[ "$(notices)" = 1 ] || fail "--id did not say the initramfs is stale"
	vb --no-save $NVME
	[ "$(notices)" = 0 ] || fail "--no-save said the initramfs is stale"
	vb --restore
	[ "$(notices)" = 0 ] || fail "--restore said the initramfs is stale"
}

test_dracut_systems_are_told_to_run_dracut() {
	with_dracut
	vb $E1000E
	assert_rc 0
	assert_says "'dracut -f --regenerate-all'"
}

test_no_notice_without_an_early_boot_integration() {
	vb $E1000E
	assert_rc 0
	! grep -q initramfs "$T/err" || fail "a notice without any initramfs integration: $(cat "$T/err")"
}

test_initramfs_plan_names_trusted_files_modules_and_refusals() {
	vb $E1000E
	vb --id 15b3:101e
	good=$(ls "$T"/config/pci-$E1000E=*.conf)
	sed "s/$E1000E/0000:00:09.0/" "$good" >"$T/config/pci-0000:00:09.0.conf"
	chmod 666 "$T/config/pci-0000:00:09.0.conf"
	printf 'VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:00:0a.0\nVFIO_BIND_DRIVER=nosuch-vfio\nVFIO_BIND_MODULE=nosuch_vfio\n' \
		>"$T/config/pci-0000:00:0a.0.conf"
	remember
	vb --initramfs-plan
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	grep -qx "file $good" "$T/out" || fail "the trusted binding is not in the plan"
	grep -qx "file $T/config/pci-15B3:101E.conf" "$T/out" ||
		grep -qx "file $T/config/pci-id-15B3:101E.conf" "$T/out" || fail "the ID rule is not in the plan"
	grep -q "^file .*0000:00:09.0" "$T/out" && fail "the untrusted file is in the plan"
	grep -q "^skip $T/config/pci-0000:00:09.0.conf: .*not trusted" "$T/out" || fail "the untrusted file is not refused"
	grep -qx "module e1000e_vfio_pci" "$T/out" || fail "the variant module is not in the plan"
	# The ID rule: what its present device would get, and the bus's own driver.
	grep -qx "module mlx5_vfio_pci" "$T/out" || fail "the ID rule's variant is not in the plan"
	grep -qx "module vfio_pci" "$T/out" || fail "vfio_pci is not in the plan"
	grep -q "^missing nosuch_vfio: " "$T/out" || fail "the missing module is not named"
	grep -q "^library /.*libkmod\.so" "$T/out" || fail "libkmod is not in the plan"
	[ "$(grep -c '^module e1000e_vfio_pci$' "$T/out")" = 1 ] || fail "a module named twice"
}

test_initramfs_plan_of_nothing_saved_is_empty() {
	vb --initramfs-plan
	assert_rc 0
	[ ! -s "$T/out" ] || fail "a plan with nothing saved: $(cat "$T/out")"
	vb --initramfs-plan $E1000E
	assert_rc 2
}

test_bind_says_when_the_host_driver_is_built_in() {
	fake_builtin "$S" nvme_core_builtin nvme-builtin 1b36:0010
	fake_move "$S" $NVME nvme-builtin
	vb $NVME
	assert_rc 0
	assert_driver $NVME vfio-pci
	assert_says 'nvme-builtin is built into the kernel'
	grep -qx 'VFIO_BIND_HOST_DRIVER=nvme-builtin' "$T"/config/pci-$NVME=*.conf ||
		fail "the host driver it was taken from is not saved"
	# On VFIO now, the listing still knows what would take it at boot.
	vb --list --json
	python3 - "$T/out" <<'PY' || fail "host_driver_builtin is wrong"
import json, sys
by = {d["device"]: d for d in json.load(open(sys.argv[1]))}
assert by["0000:00:04.0"]["host_driver_builtin"] == "nvme-builtin", by["0000:00:04.0"]
assert by["0000:00:02.0"]["host_driver_builtin"] is None
PY
	vb --list
	grep -q "$NVME: note: its host driver nvme-builtin is built into the kernel" "$T/err" ||
		fail "--list does not say the host driver is built in: $(cat "$T/err")"
	# A second bind (already there) keeps what the first one saved.
	vb $NVME
	grep -qx 'VFIO_BIND_HOST_DRIVER=nvme-builtin' "$T"/config/pci-$NVME=*.conf ||
		fail "binding again lost the host driver"
}

test_a_module_host_driver_is_not_called_built_in() {
	vb $E1000E
	assert_rc 0
	! grep -q 'built into' "$T/err" || fail "e1000e (a module) called built in"
	grep -qx 'VFIO_BIND_HOST_DRIVER=e1000e' "$T"/config/pci-$E1000E=*.conf ||
		fail "the host driver it was taken from is not saved"
}

test_initramfs_only_goes_with_restore() {
	remember
	vb --initramfs $E1000E
	assert_rc 2
	assert_unchanged
}

fake_main "$@"
