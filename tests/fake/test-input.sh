#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bad input is a usage error (exit 2) before anything is touched.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0

test_bad_device_names_are_usage_errors() {
	long=$(printf '%0300d' 0)
	ctrl=$(printf '0000:00:02.0\001')
	tab=$(printf '00:02.0\tx')
	nl=$(printf '00:02.0\nx')
	esc=$(printf '\033[31m00:02.0')
	for name in '' '.' '..' 'a/b' "$ctrl" "$tab" "$nl" "$esc" "$long" \
		'0000:00:02.0/../x' '../../../etc' '/etc/passwd' \
		"$S/bus/pci/devices/../../../etc" '-'; do
		vb "$name"
		[ "$rc" = 2 ] ||
			soft_fail "'$(printf '%s' "$name" | od -An -c | tr -s ' ' | head -c 80)': exit status $rc, want 2"
	done
	[ $fake_failed -eq 0 ] || fail "some bad names were not usage errors"
	assert_unchanged
	assert_no_kernel_calls
}

test_bad_name_in_batch_touches_no_device() {
	vb $E1000E '..'
	assert_rc 2
	assert_unchanged
	assert_no_kernel_calls
}

test_unknown_option_is_usage_error() {
	vb --frobnicate $E1000E
	assert_rc 2
	assert_unchanged
	assert_no_kernel_calls
	grep -q . "$T/err" || fail "nothing on stderr"
}

test_no_device_is_usage_error() {
	vb
	assert_rc 2
	assert_unchanged
	vb --unbind
	assert_rc 2
	assert_unchanged
}

test_missing_device_fails_untouched() {
	vb 0000:00:1f.7
	assert_rc 1
	assert_unchanged
	assert_no_kernel_calls
	assert_says '0000:00:1f.7'
}

fake_main "$@"
