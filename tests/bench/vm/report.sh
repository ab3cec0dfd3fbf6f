#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# report.sh RESULTS
#
# The table of vm-bench.sh from the guest's BENCH-* lines (guest-bench.sh): for each
# suite and tool the median over the repetitions in milliseconds, the spread (lowest and
# highest), and the ratio of the medians to the suite's reference (the floor; for list,
# vfio-bind --list). A cycle is one repetition's bind and way back added up, so its
# median is the median of those sums. Failed samples (BENCH-E) are listed, not dropped.

set -eu
[ $# -eq 1 ] || { echo "usage: $0 RESULTS" >&2; exit 2; }
res=$1

echo "# guest:"
sed -n 's/^BENCH-I /#   /p' "$res"

# SUITE TOOL PHASE (bind, back, run, or cycle: bind + back of one repetition), and
# prints "N MEDIAN MIN MAX" in microseconds.
stats() {
	awk -v s="$1" -v t="$2" -v p="$3" '
		$1 == "BENCH-S" && $2 == s && $3 == t {
			if (p == "cycle") { if ($5 == "bind" || $5 == "back") sum[$4] += $6 }
			else if ($5 == p) sum[$4] = $6
		}
		END { for (r in sum) print sum[r] }' "$res" | sort -n |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "0 0 0 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print NR, m, v[1], v[NR] }'
}

# row SUITE TOOL PHASE REF_TOOL REF_PHASE LABEL
row() {
	read -r n m lo hi <<-END
	$(stats "$1" "$2" "$3")
	END
	read -r rn rm rlo rhi <<-END
	$(stats "$1" "$4" "$5")
	END
	: "$rn" "$rlo" "$rhi"
	awk -v label="$6" -v n="$n" -v m="$m" -v lo="$lo" -v hi="$hi" -v rm="$rm" 'BEGIN {
		if (n == 0) { printf "| %-48s | %3s | %9s | %19s | %6s |\n", label, 0, "-", "-", "-"; exit }
		printf "| %-48s | %3d | %9.1f | %8.1f - %8.1f | %5.2fx |\n", label, n, m / 1000, lo / 1000, hi / 1000, (rm > 0 ? m / rm : 0) }'
}
section() {
	echo
	echo "$1"
	echo
	echo "| command                                          |   n | median ms |       min - max ms |  ratio |"
	echo "| ------------------------------------------------ | --: | --------: | -----------------: | -----: |"
}

if grep -q '^BENCH-S start ' "$res"; then
	section "Starting a program that does nothing (ratio: to the static empty program)"
	row start busybox run static run 'busybox true (static, fixed address)'
	row start static run static run 'empty program, static'
	row start dynamic run static run 'empty program, dynamic (PIE, libc)'
	row start true run static run '/bin/true (PIE, libc)'
	row start vfio-bind run static run 'vfio-bind --version'
	row start dynamic-fixed run static run 'empty program, dynamic, no ASLR'
	row start vfio-bind-fixed run static run 'vfio-bind --version, no ASLR'
fi
if grep -q '^BENCH-S cycle ' "$res"; then
	section "One bind+unbind cycle of one e1000e (ratio: to the floor to the same driver)"
	row cycle floor cycle floor cycle 'floor: 3 writes each way (busybox sh)'
	row cycle vfio-bind cycle floor cycle 'vfio-bind -d vfio-pci / --unbind'
	row cycle vfio-bind-nosave cycle floor cycle 'vfio-bind --no-save -d vfio-pci / --unbind'
	row cycle driverctl cycle floor cycle 'driverctl set-override / unset-override'
	row cycle dpdk-devbind cycle floor cycle 'dpdk-devbind.py -b vfio-pci / -b e1000e'
	row cycle floor-variant cycle floor-variant cycle 'floor to e1000e-vfio-pci'
	row cycle vfio-bind-search cycle floor-variant cycle 'vfio-bind (search: e1000e-vfio-pci) / --unbind'
	section "The same, bind (e1000e -> VFIO driver) and way back separately"
	for p in bind back; do
		row cycle floor "$p" floor "$p" "$p: floor"
		row cycle vfio-bind "$p" floor "$p" "$p: vfio-bind -d vfio-pci"
		row cycle vfio-bind-nosave "$p" floor "$p" "$p: vfio-bind --no-save -d vfio-pci"
		row cycle driverctl "$p" floor "$p" "$p: driverctl"
		row cycle dpdk-devbind "$p" floor "$p" "$p: dpdk-devbind.py"
		row cycle floor-variant "$p" floor-variant "$p" "$p: floor, variant"
		row cycle vfio-bind-search "$p" floor-variant "$p" "$p: vfio-bind, search"
	done
fi
if grep -q '^BENCH-S list ' "$res"; then
	section "Listing every PCI device (ratio: to vfio-bind --list)"
	row list vfio-bind run vfio-bind run 'vfio-bind --list'
	row list vfio-bind-json run vfio-bind run 'vfio-bind --list --json'
	row list driverctl run vfio-bind run 'driverctl list-devices'
	row list dpdk-devbind run vfio-bind run 'dpdk-devbind.py --status'
fi
if grep -q '^BENCH-S restore ' "$res"; then
	section "Restoring 32 saved devices to vfio-pci in one run (ratio: to the floor)"
	row restore floor run floor run 'floor: 32 x 3 writes (busybox sh)'
	row restore vfio-bind run floor run 'vfio-bind --restore'
fi
if grep -q '^BENCH-E ' "$res"; then
	echo
	echo "Failures ($(grep -c '^BENCH-E ' "$res")):"
	sed -n 's/^BENCH-E /  /p' "$res"
fi
