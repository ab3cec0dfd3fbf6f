#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --owner: the VFIO nodes of a bound device go to a user (and group), the
# choice is saved, re-applied, shown, and undone by --unbind. The fake has no
# device nodes: a test makes /dev/vfio/N as a plain file where the kernel
# would, and asserts on its owner and mode.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
NODE=

# The group node the kernel would make for the e1000e (its group is 1).
make_node() {
	mkdir -p "$T/dev/vfio"
	NODE=$T/dev/vfio/1
	: >"$NODE"
	chmod 600 "$NODE"
}

owner_of() { # FILE -> "UID:GID MODE"
	stat -c '%u:%g %a' "$1"
}

NOBODY_UID=$(id -u nobody)
NOGROUP_GID=$(getent group nogroup | cut -d: -f3)

test_owner_gives_the_group_node_and_saves_it() {
	make_node
	vb --owner nobody:nogroup $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ "$(owner_of "$NODE")" = "$NOBODY_UID:$NOGROUP_GID 660" ] || fail "node is $(owner_of "$NODE")"
	grep -q "^VFIO_BIND_OWNER=$NOBODY_UID:$NOGROUP_GID\$" "$T"/config/pci-$E1000E*.conf ||
		fail "not saved: $(cat "$T"/config/pci-$E1000E*.conf)"
	vb --list --json $E1000E
	assert_rc 0
	grep -q '"owner": *"nobody:nogroup"' "$T/out" || fail "--list: $(cat "$T/out")"
	vb --udev-owner 1
	assert_rc 0
	assert_stdout_says "^VFIO_BIND_OWNER=$NOBODY_UID\$"
	assert_stdout_says "^VFIO_BIND_GROUP=$NOGROUP_GID\$"
	assert_stdout_says "^VFIO_BIND_MODE=0660\$"
}

test_owner_user_alone_is_mode_0600() {
	make_node
	vb --owner "$NOBODY_UID" $E1000E
	assert_rc 0
	[ "$(owner_of "$NODE")" = "$NOBODY_UID:0 600" ] || fail "node is $(owner_of "$NODE")"
}

test_restore_gives_it_again_and_unbind_takes_it_back() {
	make_node
	vb --owner nobody $E1000E
	assert_rc 0
	chown 0:0 "$NODE"
	vb --restore $E1000E
	assert_rc 0
	[ "$(owner_of "$NODE")" = "$NOBODY_UID:0 600" ] || fail "--restore left it $(owner_of "$NODE")"
	vb --unbind $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e
	[ "$(owner_of "$NODE")" = "0:0 600" ] || fail "--unbind left it $(owner_of "$NODE")"
	vb --udev-owner 1
	assert_rc 1
}

test_unknown_user_or_group_is_a_usage_error() {
	remember
	vb --owner nosuchuser-vb $E1000E
	assert_rc 2
	assert_says "no user 'nosuchuser-vb'"
	vb --owner root:nosuchgroup-vb $E1000E
	assert_rc 2
	assert_says "no group 'nosuchgroup-vb'"
	vb --owner root: $E1000E
	assert_rc 2
	vb --unbind --owner root $E1000E
	assert_rc 2
	vb --udev-owner ../1
	assert_rc 2
	assert_unchanged
}

test_id_rule_keeps_the_owner() {
	make_node
	vb --id 8086:10d3 --owner nobody:nogroup
	assert_rc 0
	grep -q "^VFIO_BIND_OWNER=$NOBODY_UID:$NOGROUP_GID\$" "$T"/config/pci-id-8086:10D3.conf ||
		fail "rule: $(cat "$T"/config/pci-id-*.conf)"
	[ "$(owner_of "$NODE")" = "$NOBODY_UID:$NOGROUP_GID 660" ] || fail "node is $(owner_of "$NODE")"
	vb --udev-owner 1
	assert_rc 0
	assert_stdout_says "^VFIO_BIND_GROUP=$NOGROUP_GID\$"
}

# udev's rule starts vfio-bind for a new VFIO node only when the config
# directory holds the mark that some binding has an owner.
test_only_a_binding_with_an_owner_marks_the_config_dir() {
	make_node
	vb $E1000E
	assert_rc 0
	[ ! -e "$T/config/.owners" ] || fail "a bind without --owner made the mark"
	vb --unbind $E1000E
	assert_rc 0
	vb --id 8086:10d3 --owner nobody
	assert_rc 0
	[ -f "$T/config/.owners" ] || fail "an ID rule with an owner made no mark"
	vb --list
	assert_rc 0
	assert_stdout_says "$E1000E"
	! grep -q "owners" "$T/out" || fail "--list shows the mark: $(cat "$T/out")"
}

test_restore_marks_owners_saved_without_the_mark() {
	make_node
	vb --owner nobody $E1000E
	assert_rc 0
	[ -f "$T/config/.owners" ] || fail "--owner made no mark"
	rm "$T/config/.owners"
	vb --restore --dry-run
	assert_rc 0
	[ ! -e "$T/config/.owners" ] || fail "--dry-run made the mark"
	vb --restore
	assert_rc 0
	[ -f "$T/config/.owners" ] || fail "--restore did not mark the owner saved before"
}

fake_main "$@"
