#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs every libFuzzer harness of a fuzz build for a bounded time, with
# ASan, UBSan and leak detection, starting from the seed corpus in the repo:
#
#   run-fuzzers.sh BUILDDIR SECONDS [NAME...]
#
# BUILDDIR is configured as tests/fuzz/meson.build says. The seeds are
# copied, so the repo's corpus only changes by hand. Inputs that crash, leak
# or trip a sanitizer are kept in $FUZZ_OUT (default BUILDDIR/fuzz-out/NAME/)
# with the log. FUZZ_RSS_MB (2048) bounds memory, FUZZ_TIMEOUT (10 s) one
# input.
#
# Exit: 0 nothing found, 1 a harness found something or would not run,
# 2 bad arguments.

set -u

usage() {
	echo "usage: ${0##*/} BUILDDIR SECONDS [NAME...]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
build=$1
secs=$2
shift 2
case $secs in
'' | *[!0-9]*) usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
out=${FUZZ_OUT:-$build/fuzz-out}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

[ $# -gt 0 ] || set -- names modalias saved options rank json

# Any report ends the run with an error: libFuzzer then saves the input.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:report_error_type=1
export ASAN_OPTIONS UBSAN_OPTIONS

failed=
printf '%-10s %8s %8s %7s  %s\n' HARNESS RUNS COVERAGE CORPUS RESULT
for name in "$@"; do
	exe=$build/tests/fuzz/fuzz-$name
	seeds=$here/corpus/$name
	dir=$out/$name
	if [ ! -x "$exe" ]; then
		printf '%-10s %8s %8s %7s  %s\n' "$name" - - - "not built: $exe"
		failed="$failed $name"
		continue
	fi
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/tmp"
	cp "$seeds"/* "$dir/corpus/" 2>/dev/null
	# The harnesses' scratch trees; a crash leaves them behind.
	TMPDIR=$dir/tmp "$exe" -max_total_time="$secs" -rss_limit_mb="$rss" -timeout="$timeout" \
		-malloc_limit_mb="$rss" -detect_leaks=1 -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	rm -rf "$dir/tmp"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$dir/log")
	corp=$(ls "$dir/corpus" | wc -l)
	found=$(ls "$dir" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -n 1)
	if [ $rc -ne 0 ] || [ -n "$found" ] ||
		grep -Eq 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|check failed:' "$dir/log"; then
		printf '%-10s %8s %8s %7s  %s\n' "$name" "${runs:--}" "${cov:--}" "$corp" \
			"FOUND (exit $rc): ${found:-see log} in $dir"
		failed="$failed $name"
	else
		printf '%-10s %8s %8s %7s  %s\n' "$name" "$runs" "$cov" "$corp" ok
	fi
done

if [ -n "$failed" ]; then
	echo "failed:$failed"
	for name in $failed; do
		[ -f "$out/$name/log" ] || continue
		echo "--- $name: the report"
		grep -E -A30 'ERROR: |runtime error:|check failed:|deadly signal' "$out/$name/log" | head -n 60
	done
	exit 1
fi
exit 0
