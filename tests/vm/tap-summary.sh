#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tap-summary.sh NAME CONSOLE_LOG RUN_VM_EXIT
#
# Reads one guest's TAP lines off its console log (CONSOLE_LOG.tap keeps them),
# prints them and "NAME: N passed, N failed, N known bugs (TODO)", and exits 0
# only when the guest reported to the end (VMTEST-DONE), every planned result was
# read, and none failed. TAP's "# TODO" marks a known bug of the tool: reported,
# not failing; one that passes now is pointed out, so that the TODO can go.

set -u

[ $# -eq 3 ] || { echo "usage: $0 NAME CONSOLE_LOG RUN_VM_EXIT" >&2; exit 2; }
name=$1 log=$2 rc=$3

fail() { echo "$name: FAIL: $*"; exit 1; }

# The console ends lines in CR LF; only the guest script's lines matter here.
tr -d '\r' <"$log" | grep -aE '^(ok|not ok) [0-9]+ |^# |^1\.\.[0-9]+$' >"$log.tap" || true
cat "$log.tap"
plan=$(sed -n 's/^1\.\.//p' "$log.tap")
seen=$(grep -cE '^(ok|not ok) ' "$log.tap" || true)
failed=$(grep '^not ok ' "$log.tap" | grep -vc ' # TODO ' || true)
todo=$(grep -c '^not ok .* # TODO ' "$log.tap" || true)
grep '^ok .* # TODO ' "$log.tap" | sed 's/^/# passes now, drop its TODO: /' || true
if ! tr -d '\r' <"$log" | grep -aq '^VMTEST-DONE'; then
	echo "# the guest did not finish (run-vm exit $rc); last lines of the console ($log):"
	tr -d '\r' <"$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tail -n 25 | awk '{ print "#   " $0 }'
	fail "the guest did not report to the end"
fi
[ "$plan" = "$seen" ] || fail "$seen results read off the console, the guest planned ${plan:-none}"
echo "$name: $((seen - failed - todo)) passed, $failed failed, $todo known bugs (TODO)"
[ "$failed" -eq 0 ]
