#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Not root: looking works, changing is refused with a clear word.

. "$(dirname "$0")/harness.sh"

need_setpriv() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups true \
		2>/dev/null || skip "setpriv cannot switch to uid $NOBODY"
}

test_unprivileged_list_works() {
	need_setpriv
	vb_as_nobody --list
	assert_rc 0
	assert_stdout_says 0000:00:02.0
	assert_unchanged
}

test_unprivileged_bind_fails_saying_root_needed() {
	need_setpriv
	vb_as_nobody 0000:00:02.0
	assert_rc 1
	assert_says 'root|permission|privilege'
	assert_unchanged
	assert_no_kernel_calls
}

fake_main "$@"
