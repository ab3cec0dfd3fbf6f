#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The unit and fake-kernel suites with the code under valgrind's memcheck:
#
#   tests/valgrind.sh BUILDDIR [SUITE...]      (SUITE: unit, fake; default both)
#
# Unit tests: meson runs each test program under valgrind (--wrapper); the
# unit-script ones put $VFIO_BIND_WRAPPER before vfio-bind themselves.
# Fake-kernel tests: harness.sh runs vfio-bind under $VFIO_BIND_WRAPPER,
# inside the shim's environment, so valgrind wraps the binary and never the
# shell around it. BUILDDIR is a plain build (not ASan). Any memcheck error
# or definite leak makes the run exit 99, which fails its test; the logs
# (BUILDDIR/valgrind/, one per run) are summed up at the end.
#
# Exit: 0 clean and every test passed or skipped, 1 otherwise, 2 bad
# arguments, 77 no valgrind.

set -u

[ $# -ge 1 ] || {
	echo "usage: ${0##*/} BUILDDIR [unit|fake...]" >&2
	exit 2
}
build=$(cd "$1" && pwd) || exit 2
shift
[ $# -gt 0 ] || set -- unit fake
command -v valgrind >/dev/null 2>&1 || {
	echo "${0##*/}: valgrind is not installed (apt-get install valgrind)" >&2
	exit 77
}
here=$(cd "$(dirname "$0")" && pwd)

logs=$build/valgrind
rm -rf "$logs"
mkdir -p "$logs"
# Runs as uid 65534 (test-unprivileged.sh) write their logs here too.
chmod 1777 "$logs"

# Reachable memory at exit is libudev's and libkmod's caches: only definite
# leaks count. Children (depmod, sh) are not ours to check.
vg="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
vg="$vg --show-leak-kinds=definite --track-origins=yes --num-callers=30"
vg="$vg --trace-children=no --child-silent-after-fork=yes"
vg="$vg --suppressions=$here/valgrind.supp"

# One log per run, named by mktemp: pids come round again in a long suite.
{
	echo '#!/bin/sh'
	echo "exec $vg --log-file=\"\$(mktemp '$logs/'\"\${VG_SUITE:-run}\"-XXXXXX.log)\" \"\$@\""
} >"$logs/wrap"
chmod 0755 "$logs/wrap"

rc=0
for suite in "$@"; do
	case $suite in
	unit)
		VG_SUITE=unit meson test -C "$build" --suite unit --no-suite unit-script \
			--print-errorlogs --timeout-multiplier 10 --wrapper "$logs/wrap" --logbase testlog-unit || rc=1
		# Scripts put the wrapper around the binary themselves: valgrind has no
		# business with the shell.
		VG_SUITE=unit VFIO_BIND_WRAPPER=$logs/wrap meson test -C "$build" --suite unit-script \
			--print-errorlogs --timeout-multiplier 10 --logbase testlog-unit-script || rc=1
		;;
	fake)
		VG_SUITE=fake VFIO_BIND_WRAPPER=$logs/wrap FAKE_TIMEOUT=120 \
			meson test -C "$build" --suite fake --print-errorlogs \
			--timeout-multiplier 10 || rc=1
		;;
	*)
		echo "${0##*/}: no suite '$suite' (unit, fake)" >&2
		exit 2
		;;
	esac
done

runs=$(ls "$logs" | grep -c '\.log$')
bad=$(grep -L 'ERROR SUMMARY: 0 errors' "$logs"/*.log 2>/dev/null)
echo "valgrind: $runs runs checked, $(echo "$bad" | grep -c .) with errors or definite leaks"
for log in $bad; do
	echo "--- $log: $(sed -n 's/^==[0-9]*== Command: //p' "$log" | head -n 1)"
	grep -E '^==[0-9]+== ([A-Z].*|   (at|by) .*)$' "$log" | head -n 40
	rc=1
done
exit $rc
