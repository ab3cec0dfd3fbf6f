#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# report.sh RESULTS
#
# The table of vm-bench.sh from the guest's BENCH-* lines (guest-bench.sh): for each
# suite and tool the median over the repetitions in milliseconds, the spread (lowest and
# highest), and the ratio of the medians to the suite's reference (the floor; for list,
# vfio-bind --list). A cycle is one repetition's bind and way back added up, so its
# median is the median of those sums. The batch tables give two ratios, to the serial
# and to the parallel floor of the same size, for the edu devices the median of the
# most probes and removes of vb_slow in flight at once (BENCH-F), and the median time
# udev took after the command to be idle again (BENCH-U, "udev ms"; "udevadm settle"
# with nothing to wait for included); then the goals.
# Failed samples (BENCH-E) are listed, not dropped.

set -eu
[ $# -eq 1 ] || { echo "usage: $0 RESULTS" >&2; exit 2; }
res=$1

echo "# guest:"
sed -n 's/^BENCH-I /#   /p' "$res"

# SUITE TOOL PHASE [KIND] (PHASE bind, back, run, bind-N ..., or cycle: bind + back of
# one repetition), and prints "N MEDIAN MIN MAX" of the BENCH-KIND lines (default S:
# microseconds).
stats() {
	awk -v s="$1" -v t="$2" -v p="$3" -v k="BENCH-${4:-S}" '
		$1 == k && $2 == s && $3 == t {
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
# The batch suites: median ratios of one row to another, and a row with both ratios.
median() { stats "$@" | awk '{ print $2 }'; }
# ratio A B: A / B to two places, "-" without B.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else printf "-" }'; }
# brow SUITE TOOL PHASE REF_PHASE LABEL [PARALLEL]: the ratios to the serial and the
# parallel floor (or the tool PARALLEL) of SUITE at REF_PHASE, vb_slow's most in flight
# (edu devices), and how long udev took to be idle after the command (BENCH-U).
brow() {
	read -r n m lo hi <<-END
	$(stats "$1" "$2" "$3")
	END
	sm=$(median "$1" serial "$4")
	pm=$(median "$1" "${6:-parallel}" "$4")
	fl=-
	[ "$1" != batch ] || fl=$(median "$1" "$2" "$3" F)
	um=$(median "$1" "$2" "$3" U)
	awk -v label="$5" -v n="$n" -v m="$m" -v lo="$lo" -v hi="$hi" -v sm="$sm" -v pm="$pm" -v fl="$fl" -v um="$um" 'BEGIN {
		if (n == 0) { printf "| %-48s | %3s | %9s | %19s | %8s | %8s | %6s | %8s |\n", label, 0, "-", "-", "-", "-", "-", "-"; exit }
		# A floor not run (bench.btools) gives "-", not a ratio to nothing.
		rs = sm > 0 ? sprintf("%.3fx", m / sm) : "-"
		rp = pm > 0 ? sprintf("%.2fx", m / pm) : "-"
		printf "| %-48s | %3d | %9.1f | %8.1f - %8.1f | %8s | %8s | %6s | %8.0f |\n", label, n, m / 1000, lo / 1000, hi / 1000,
			rs, rp, fl, um / 1000 }'
}
bsection() {
	echo
	echo "$1"
	echo
	echo "| command                                          |   n | median ms |       min - max ms | / serial | / parall | flight | udev ms |"
	echo "| ------------------------------------------------ | --: | --------: | -----------------: | -------: | -------: | -----: | -------: |"
}
bsizes() { awk -v s="$1" '$1 == "BENCH-S" && $2 == s { sub(/.*-/, "", $5); print $5 }' "$res" | sort -un; }

# vb_slow's sleep as the guest set it (bench.bdelay).
delay=$(awk '$1 == "BENCH-I" && $2 == "batch_vb_slow" { print $4; exit }' "$res" | tr -d ,)
delay=${delay:-200}
for size in $(bsizes batch); do
	bsection "Bind all $size edu devices, vb_slow -> vfio-pci (vb_slow's remove sleeps $delay ms; flight: most removes at once)"
	brow batch serial "bind-$size" "bind-$size" 'floor, one device after the other (busybox sh)'
	brow batch parallel "bind-$size" "bind-$size" 'floor, side by side (busybox sh, a job a device)'
	brow batch vfio-bind "bind-$size" "bind-$size" 'vfio-bind -d vfio-pci DEV... (default jobs)'
	brow batch vfio-bind-nosave "bind-$size" "bind-$size" 'vfio-bind --no-save -d vfio-pci DEV...'
	brow batch vfio-bind-j1 "bind-$size" "bind-$size" 'vfio-bind --jobs 1 -d vfio-pci DEV...'
	brow batch driverctl "bind-$size" "bind-$size" 'driverctl set-override DEV vfio-pci, each'
	brow batch dpdk-devbind "bind-$size" "bind-$size" 'dpdk-devbind.py -b vfio-pci DEV...'
	brow batch dry-run "bind-$size" "bind-$size" 'vfio-bind --dry-run (decides, moves nothing)'
	brow batch parallel-held "bind-$size" "bind-$size" 'floor, side by side, udev queue stopped' parallel-held
	brow batch vfio-bind-held "bind-$size" "bind-$size" 'vfio-bind, udev queue stopped (/ floor so)' parallel-held
	bsection "Unbind all $size edu devices, vfio-pci -> vb_slow (its probe sleeps $delay ms; flight: most probes at once)"
	brow batch serial "back-$size" "back-$size" 'floor, one device after the other (busybox sh)'
	brow batch parallel "back-$size" "back-$size" 'floor, side by side (busybox sh, a job a device)'
	brow batch vfio-bind "back-$size" "back-$size" 'vfio-bind --unbind DEV... (default jobs)'
	brow batch vfio-bind-j1 "back-$size" "back-$size" 'vfio-bind --jobs 1 --unbind DEV...'
	brow batch driverctl "back-$size" "back-$size" 'driverctl unset-override DEV, each'
	brow batch dpdk-devbind "back-$size" "back-$size" 'dpdk-devbind.py -b vb_slow DEV...'
	brow batch dry-run "back-$size" "back-$size" 'vfio-bind --dry-run --unbind (moves nothing)'
	brow batch parallel-held "back-$size" "back-$size" 'floor, side by side, udev queue stopped' parallel-held
	brow batch vfio-bind-held "back-$size" "back-$size" 'vfio-bind --unbind, udev stopped (/ floor so)' parallel-held
	bsection "Restore at boot: $size saved devices on vb_slow -> vfio-pci (ratios: to the floors' bind of $size)"
	brow batch parallel "bind-$size" "bind-$size" 'floor, side by side (the bind above)'
	brow batch udev "boot-$size" "bind-$size" 'coldplug: add events, udev rule, vfio-bind each'
	brow batch udev-wide "boot-$size" "bind-$size" 'coldplug, udevd allowed a worker an event'
	brow batch udev-empty "boot-$size" "bind-$size" 'add events with nothing saved (udev alone)'
	brow batch restore "boot-$size" "bind-$size" 'vfio-bind --restore, one call'
	brow batch boot "boot-$size" "bind-$size" 'boot: add events and the service'"'"'s --restore'
done
for size in $(bsizes batchnet); do
	bsection "Bind all $size virtio-net NICs, virtio-pci -> vfio-pci (quick drivers)"
	brow batchnet serial "bind-$size" "bind-$size" 'floor, one device after the other (busybox sh)'
	brow batchnet parallel "bind-$size" "bind-$size" 'floor, side by side (busybox sh, a job a device)'
	brow batchnet vfio-bind "bind-$size" "bind-$size" 'vfio-bind -d vfio-pci DEV... (default jobs)'
	brow batchnet vfio-bind-j1 "bind-$size" "bind-$size" 'vfio-bind --jobs 1 -d vfio-pci DEV...'
	brow batchnet parallel-held "bind-$size" "bind-$size" 'floor, side by side, udev queue stopped' parallel-held
	brow batchnet vfio-bind-held "bind-$size" "bind-$size" 'vfio-bind, udev queue stopped (/ floor so)' parallel-held
	bsection "Unbind all $size virtio-net NICs, vfio-pci -> virtio-pci"
	brow batchnet serial "back-$size" "back-$size" 'floor, one device after the other (busybox sh)'
	brow batchnet parallel "back-$size" "back-$size" 'floor, side by side (busybox sh, a job a device)'
	brow batchnet vfio-bind "back-$size" "back-$size" 'vfio-bind --unbind DEV... (default jobs)'
	brow batchnet vfio-bind-j1 "back-$size" "back-$size" 'vfio-bind --jobs 1 --unbind DEV...'
	brow batchnet parallel-held "back-$size" "back-$size" 'floor, side by side, udev queue stopped' parallel-held
	brow batchnet vfio-bind-held "back-$size" "back-$size" 'vfio-bind --unbind, udev stopped (/ floor so)' parallel-held
done
# The goals, at the largest size: reported, not asserted.
size=$(bsizes batch | tail -n 1)
if [ -n "$size" ]; then
	# goal LABEL FIGURE LIMIT: a row, the verdict ok when FIGURE (a ratio) is at most LIMIT.
	goal() {
		awk -v label="$1" -v f="$2" -v l="$3" 'BEGIN {
			v = f; sub(/x$/, "", v)
			verdict = (f == "-" || l == "-") ? "" : (v + 0 <= l + 0 ? "ok" : "MISSED")
			printf "| %-56s | %8s | %8s | %-7s |\n", label, f, (l == "-" ? "-" : sprintf("<= %.2fx", l)), verdict }'
	}
	echo
	echo "Goals at $size edu devices (reported, not asserted)"
	echo
	echo "| goal                                                     |   figure |     goal | verdict |"
	echo "| -------------------------------------------------------- | -------: | -------: | ------- |"
	for p in bind back; do
		what=bind
		[ "$p" = bind ] || what=unbind
		vb=$(median batch vfio-bind "$p-$size")
		goal "$what all: vfio-bind (default jobs) / parallel floor" "$(ratio "$vb" "$(median batch parallel "$p-$size")")" 1.1
		goal "$what all: vfio-bind (default jobs) / serial floor" "$(ratio "$vb" "$(median batch serial "$p-$size")")" 0.1
		goal "$what all, udev stopped: vfio-bind / parallel floor" \
			"$(ratio "$(median batch vfio-bind-held "$p-$size")" "$(median batch parallel-held "$p-$size")")" 1.1
	done
	goal "restore at boot: udev coldplug / parallel floor's bind" \
		"$(ratio "$(median batch udev "boot-$size")" "$(median batch parallel "bind-$size")")" 1.2
	for nsize in $(bsizes batchnet); do
		goal "$nsize NICs, bind all: vfio-bind / serial floor (no goal)" \
			"$(ratio "$(median batchnet vfio-bind "bind-$nsize")" "$(median batchnet serial "bind-$nsize")")" -
	done
fi

if grep -q '^BENCH-E ' "$res"; then
	echo
	echo "Failures ($(grep -c '^BENCH-E ' "$res")):"
	sed -n 's/^BENCH-E /  /p' "$res"
fi
