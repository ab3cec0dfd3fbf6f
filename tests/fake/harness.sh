# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Runs one fake-kernel test: a fresh tree, the real binary under the shim,
# assertions on the state the tree ends in. A test file defines test_NAME
# functions and ends with `fake_main "$@"`; meson calls it with NAME.
#
# Environment (meson sets it): VFIO_BIND (the binary), FAKE_SHIM
# (fake-sysfs.so), MAKE_MODULE_TREE (tests/lib/make-module-tree.sh).
# FAKE_KEEP=1 keeps the tree of a failed test for a look.
#
# Exit: 0 pass, 1 fail, 77 skip (meson's convention).

set -u

FAKE_DIR=$(cd "$(dirname "$0")" && pwd)
. "$FAKE_DIR/lib.sh"

MAKE_MODULE_TREE=${MAKE_MODULE_TREE:-$FAKE_DIR/../lib/make-module-tree.sh}
FAKE_TIMEOUT=${FAKE_TIMEOUT:-20}
NOBODY=65534

T= S= rc= fake_cmd= fake_failed=0

fake__cleanup() {
	[ -n "$T" ] && [ -z "${FAKE_KEEP:-}" ] && rm -rf "$T"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Prints what the last run did, then fails the test.
fail() {
	echo "FAIL: $*"
	echo "--- command: $fake_cmd"
	echo "--- exit status: $rc"
	echo "--- stdout:"
	cat "$T/out" 2>/dev/null
	echo "--- stderr:"
	cat "$T/err" 2>/dev/null
	echo "--- model log (.fake/log):"
	cat "$S/.fake/log" 2>/dev/null
	[ -n "${FAKE_KEEP:-}" ] && echo "--- tree kept in $T"
	exit 1
}

# Fails at the end of the test, so one run reports every broken case.
soft_fail() {
	echo "FAIL: $*"
	fake_failed=1
}

# Drops CAP_SYS_MODULE and makes the real /sys read-only, where the
# machine allows it, on top of what the shim refuses.
fake__sandbox_probe() {
	FAKE_SANDBOX=
	[ "$(id -u)" -eq 0 ] || return 0
	if unshare -m sh -c 'mount -o bind,remount,ro /sys' 2>/dev/null; then
		FAKE_SANDBOX=unshare
	fi
	if setpriv --bounding-set=-sys_module true 2>/dev/null; then
		FAKE_SANDBOX="$FAKE_SANDBOX setpriv"
	fi
}

# vb [ARGS...]: runs the binary; sets $rc, output in $T/out and $T/err.
# VFIO_BIND_WRAPPER (e.g. "valgrind -q"; tests/valgrind.sh) runs it under
# another program, inside the shim's environment.
vb() {
	fake_cmd="vfio-bind $*"
	# shellcheck disable=SC2086
	fake__exec "" ${VFIO_BIND_WRAPPER:-} "$VFIO_BIND" "$@"
}

# vb_as_nobody [ARGS...]: the same as an unprivileged user.
vb_as_nobody() {
	fake_cmd="(as uid $NOBODY) vfio-bind $*"
	# shellcheck disable=SC2086
	fake__exec "--reuid=$NOBODY --regid=$NOBODY --clear-groups" \
		${VFIO_BIND_WRAPPER:-} "$VFIO_BIND" "$@"
}

# shim_run PROG [ARGS...]: any program under the shim, same sandbox.
shim_run() {
	fake_cmd="$*"
	fake__exec "" "$@"
}

fake__exec() { # SETPRIV-OPTIONS PROG [ARGS...]
	_as=$1
	shift
	_privs=$_as
	case $FAKE_SANDBOX in
	*setpriv*) _privs="$_privs --bounding-set=-sys_module" ;;
	esac
	# LD_PRELOAD only for the program, not for the tools around it.
	set -- env VFIO_BIND_SYSFS="$S" \
		VFIO_BIND_DEVFS="$T/dev" \
		VFIO_BIND_MODULES_DIR="$T/modules/lib/modules/$FAKE_KVER" \
		VFIO_BIND_MODPROBE_DIR="$T/modprobe.d" \
		VFIO_BIND_CONFIG_DIR="$T/config" \
		VFIO_BIND_RUN_DIR="$T/run" \
		VFIO_BIND_SYSTEM_ROOT="$T/system" \
		LD_PRELOAD="$FAKE_SHIM" "$@"
	# shellcheck disable=SC2086
	[ -z "$_privs" ] || set -- setpriv $_privs -- "$@"
	case $FAKE_SANDBOX in
	*unshare*)
		set -- unshare -m sh -c \
			'mount -o bind,remount,ro /sys && exec "$@"' sh "$@" ;;
	esac
	# FAKE_OUT=F: output in F and F.err, for a run beside the foreground one.
	_out=${FAKE_OUT:-$T/out}
	_err=${FAKE_OUT:+$FAKE_OUT.err}
	timeout "$FAKE_TIMEOUT" "$@" >"$_out" 2>"${_err:-$T/err}" </dev/null
	rc=$?
	[ $rc -ne 124 ] || fail "timed out after ${FAKE_TIMEOUT}s"
	if [ -z "${FAKE_ALLOW_VIOLATIONS:-}" ] && [ -s "$S/.fake/violations" ]; then
		cat "$S/.fake/violations"
		fail "the program tried to touch the real system"
	fi
	[ $rc -lt 128 ] || fail "killed by signal $((rc - 128))"
	return 0
}

# A procfs of the test's own (VFIO_BIND_PROCFS): no mount, swap, route or
# address, so nothing is in use until a test writes one in.
fake_proc() {
	export VFIO_BIND_PROCFS="$T/proc"
	mkdir -p "$T/proc/self" "$T/proc/net"
	: >"$T/proc/self/mountinfo"
	printf 'Filename\tType\tSize\tUsed\tPriority\n' >"$T/proc/swaps"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n' \
		>"$T/proc/net/route"
	: >"$T/proc/net/ipv6_route"
	: >"$T/proc/net/if_inet6"
}

remember() {
	fake_snapshot "$S" >"$T/before"
	: >"$S/.fake/log"
}

assert_rc() { # WANT...
	for _w in "$@"; do
		[ "$rc" = "$_w" ] && return 0
	done
	fail "exit status $rc, want $*"
}

assert_driver() { # DEV DRV ("-" for none)
	_got=$(fake_driver_of "$S" "$1")
	[ "$_got" = "$2" ] || fail "$1 is on driver '$_got', want '$2'"
}

assert_override() { # DEV VALUE
	_got=$(fake_override_of "$S" "$1")
	[ "$_got" = "$2" ] || fail "$1 driver_override is '$_got', want '$2'"
}

assert_unchanged() {
	fake_snapshot "$S" >"$T/after"
	if ! diff -u "$T/before" "$T/after" >"$T/diff"; then
		cat "$T/diff"
		fail "the tree changed"
	fi
}

# Nothing reached the model: no sysfs write, no module load.
assert_no_kernel_calls() {
	if grep -v 'plain file' "$S/.fake/log" | grep -q .; then
		fail "the fake kernel saw calls: $(tr '\n' ';' <"$S/.fake/log")"
	fi
}

assert_loaded() { # MOD
	[ -f "$S/module/$1/initstate" ] || fail "module $1 is not loaded"
}

assert_not_loaded() { # MOD
	[ ! -e "$S/module/$1" ] || fail "module $1 is loaded"
}

# Loose, case-insensitive grep over everything the binary printed.
assert_says() { # ERE
	cat "$T/out" "$T/err" | grep -Eqi -- "$1" ||
		fail "output does not match /$1/"
}

assert_stdout_says() { # ERE
	grep -Eqi -- "$1" "$T/out" || fail "stdout does not match /$1/"
}

fake_main() {
	[ $# -eq 1 ] || {
		echo "usage: $0 TEST" >&2
		exit 2
	}
	: "${FAKE_SHIM:?set FAKE_SHIM to fake-sysfs.so}"
	# The shim's own tests do without the binary.
	if [ -z "${FAKE_NO_BINARY:-}" ]; then
		: "${VFIO_BIND:?set VFIO_BIND to the vfio-bind binary}"
		[ -x "$VFIO_BIND" ] || skip "$VFIO_BIND is not built"
	fi
	[ -f "$FAKE_SHIM" ] || skip "$FAKE_SHIM is not built"
	# The binary runs as root on the fake tree, as it would on a real one.
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	command -v "test_$1" >/dev/null 2>&1 || {
		echo "no such test: $1" >&2
		exit 2
	}
	fake__sandbox_probe
	T=$(mktemp -d "${TMPDIR:-/tmp}/vfio-bind-fake.XXXXXX") || exit 1
	# The unprivileged tests need to walk into it.
	chmod 0755 "$T"
	S=$T/sys
	trap fake__cleanup EXIT
	trap 'exit 1' HUP INT PIPE TERM
	fake_tree "$T" >"$T/setup.log" 2>&1 || {
		cat "$T/setup.log"
		echo "FAIL: building the fake tree"
		exit 1
	}
	remember
	"test_$1"
	[ $fake_failed -eq 0 ] || exit 1
	echo "PASS: $1"
	exit 0
}
