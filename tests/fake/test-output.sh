#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Output that cannot be written: a full disk or a reader that is gone fails
# the run (exit 1) without cutting a batch short, and a closed stdout or
# stderr never lets output land in the lock or a saved binding.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0

assert_saved() { # DEV DRIVER
	for _f in "$T/config/pci-$1="*.conf; do
		grep -qx "VFIO_BIND_DRIVER=$2" "$_f" 2>/dev/null || fail "$1 is not saved on $2"
	done
}

test_output_to_a_full_disk_fails_the_run() {
	shim_run sh -c '"$0" "$@" >/dev/full' "$VFIO_BIND" --list --json
	assert_rc 1
	grep -qx 'vfio-bind: cannot write the output: No space left on device' "$T/err" ||
		fail "the lost output is not reported"
	# Nothing to write, nothing lost; a usage error stays a usage error.
	shim_run sh -c '"$0" "$@" >/dev/full' "$VFIO_BIND" --list --json --quiet nosuchdevice
	assert_rc 1 2
	shim_run sh -c '"$0" "$@" >/dev/full' "$VFIO_BIND" --bogus
	assert_rc 2
}

# The reader is gone before the first write: each write fails with EPIPE.
test_a_closed_pipe_does_not_cut_a_batch_short() {
	mkfifo "$T/fifo"
	shim_run sh -c '
		(exec <"$1"; exit 0) &
		exec 4>"$1"
		wait $!
		shift
		"$@" >&4
	' sh "$T/fifo" "$VFIO_BIND" -v $E1000E $VIRTIO
	assert_rc 1
	assert_says 'cannot write the output: Broken pipe'
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VIRTIO vfio-pci
	assert_saved $E1000E e1000e-vfio-pci
	assert_saved $VIRTIO vfio-pci
}

# The files a run leaves in the config and run directories hold no output.
assert_no_output_in_files() {
	for _f in "$T/config"/* "$T/config"/.[!.]* "$T/run"/* "$T/run"/.[!.]*; do
		[ -f "$_f" ] || continue
		case ${_f##*/} in
		pci-*=*.conf)
			[ "$(head -n1 "$_f")" = '# Saved by vfio-bind and re-applied at boot and hotplug.' ] ||
				fail "$_f is not a saved binding: $(cat "$_f")" ;;
		*.conf) fail "an unexpected entry: $_f" ;;
		esac
		# The lock holds its holder's PID and command line, never output.
		! grep -qF -e ' -> ' -e 'vfio-bind: ' -e '"status"' -e "  write '" "$_f" ||
			fail "output landed in $_f: $(cat "$_f")"
	done
}

# More than a buffer of JSON: part of it is written while the lock is held.
test_closed_stdout_writes_into_no_file() {
	shim_run sh -c 'exec "$0" "$@" >&-' "$VFIO_BIND" --json -v \
		0000:00:00.0 $E1000E $VIRTIO 0000:00:04.0 0000:00:1c.0 0000:03:00.1
	assert_rc 1
	assert_says 'PCI bridge'
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VIRTIO vfio-pci
	assert_saved $E1000E e1000e-vfio-pci
	assert_no_output_in_files
}

# Errors are written at once, while the lock is held.
test_closed_stderr_writes_into_no_file() {
	fake_probe_fail "$S" vfio-pci EINVAL
	shim_run sh -c 'exec "$0" "$@" 2>&-' "$VFIO_BIND" $E1000E $VIRTIO
	assert_rc 1
	assert_driver $E1000E e1000e-vfio-pci
	assert_driver $VIRTIO virtio-pci
	assert_saved $E1000E e1000e-vfio-pci
	assert_no_output_in_files
}

fake_main "$@"
