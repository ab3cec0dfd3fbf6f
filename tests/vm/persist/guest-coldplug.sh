#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the persistence VM guest with layout "edu": ../batch/machine's 64 QEMU edu
# devices (1234:11e8), each behind a root port of its own, and vb_slow, the test host
# driver for them (probe and remove sleep 200 ms each; ../batch/slow), in the guest's
# module tree (updates/, indexed by depmod). Many saved devices at coldplug, where
# udev's workers each run the rule's "vfio-bind --restore DEV" at the same time. All
# boots share one disk. $1 is the phase:
#   save             udev loaded vb_slow for the edu devices on its own and it has them
#                    all; one vfio-bind call binds them all to vfio-pci and saves them
#   check            the next boot: after coldplug every saved device is on vfio-pci
#                    with its override, none on vb_slow, no interrupted move left, the
#                    boot unit succeeded; every device vb_slow probed (before the rule's
#                    override reached it) was taken off it again. Figures: how long
#                    coldplug took, how many devices vb_slow probed
#   check-preloaded  vb_slow loaded before udev starts (vmpreload=vb_slow) and the boot
#                    unit masked (systemd.mask=vfio-bind.service): every device is on
#                    vb_slow when udev sees it, so the rule's run for each takes it off
#                    vb_slow (a remove of 200 ms); more than one remove in flight at
#                    once shows the runs did not wait for each other. The same end state
# Asserts on the end state (driver links, overrides, state files, /run/vfio-bind/txn)
# and on vb_slow's counters (/sys/module/vb_slow/parameters), never on time.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

phase=$1
P=/sys/module/vb_slow/parameters
TXN=/run/vfio-bind/txn
KEEP=/var/lib/vmtest/coldplug
DELAY=200
read -r started _ </proc/uptime
settle

EDU=$(edu_devices)
N=$(echo "$EDU" | wc -w)
diag "phase $phase: $N edu devices, $(echo "$EDU" | cut -d' ' -f1) to $(echo "$EDU" | tr ' ' '\n' | tail -n 1)"
check "at least 32 edu devices (1234:11e8): $N" test "$N" -ge 32
[ "$N" -gt 0 ] || { finish; exit; }

# all_on DESCRIPTION DRIVER OVERRIDE: every edu device is on DRIVER with that
# driver_override; names the ones that are not.
all_on() {
	local d bad=
	for d in $EDU; do
		on "$d" "$2" "$3" || bad="$bad $d"
	done
	if [ -z "$bad" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  $(echo "$bad" | wc -w) not on $2 with override $3:"
		# shellcheck disable=SC2086 # a list of names
		show_state $bad
	fi
}
# The edu devices on DRIVER, by name.
on_list() {
	local d list=
	for d in $EDU; do
		[ "$(driver_of "$d")" != "$1" ] || list="$list $d"
	done
	echo "${list# }"
}
counter() { cat "$P/$1" 2>/dev/null || echo "(no vb_slow)"; }
counters() { echo "probes $(counter probes), removes $(counter removes), at most $(counter max_in_flight) in flight at once"; }
saved_count() { find "$CONF" -maxdepth 1 -name 'pci-*.conf' 2>/dev/null | wc -l; }
no_notes() { [ -z "$(ls -A "$TXN" 2>/dev/null)" ]; }
# Each file saved by the first boot is there unchanged, and no other.
as_saved() {
	local f
	[ "$(saved_count)" -eq "$(find "$KEEP" -name '*.conf' | wc -l)" ] || return 1
	for f in "$KEEP"/*.conf; do
		cmp -s "$f" "$CONF/${f##*/}" || { diag "  $CONF/${f##*/} differs or is gone"; return 1; }
	done
}

# secs USEC: microseconds as seconds, two decimals.
secs() { awk -v t="${1:-0}" 'BEGIN { printf "%.2f", t / 1e6 }'; }

# The boot's timeline in seconds since the kernel started (CLOCK_MONOTONIC): when udev's
# coldplug was triggered; when udev took up the add event of the last edu device (its
# USEC_INITIALIZED); when udev handled the add events of their VFIO group nodes
# (/dev/vfio/N appears as vfio-pci binds the device, and udev sets the node's time
# stamp as it handles it; taken from the wall clock to the monotonic one); the boot
# unit's run, and this script's start. "Coldplug took" is from the trigger to the last
# VFIO node udev handled.
timeline() {
	local d g devs=/tmp/edu.paths trig unit_start unit_end n_devs t_devs n_nodes first last took offset
	: >"$devs"
	for d in $EDU; do
		readlink -f "$PCI/devices/$d" | sed 's|^/sys||' >>"$devs"
	done
	read -r n_devs t_devs < <(udevadm info --export-db | awk -v list="$devs" '
		BEGIN { while ((getline l < list) > 0) want[l] = 1 }
		/^P: / { p = substr($0, 4) }
		/^E: USEC_INITIALIZED=/ {
			v = $0; sub(/^E: USEC_INITIALIZED=/, "", v)
			if (p in want) { n++; if (v + 0 > max) max = v + 0 }
		}
		END { printf "%d %.2f\n", n, max / 1e6 }')
	offset=$(awk -v now="$(date +%s.%N)" -v up="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.3f", now - up }')
	read -r n_nodes first last < <(for d in $EDU; do
		g=$(group_of "$d") && [ -c "/dev/vfio/$g" ] && stat -c '%.3Y' "/dev/vfio/$g"
	done | awk -v off="$offset" '
		{ t = $1 - off; n++; if (n == 1 || t < min) min = t; if (t > max) max = t }
		END { printf "%d %.2f %.2f\n", n, min, max }')
	trig=$(secs "$(systemctl show -p ExecMainStartTimestampMonotonic --value systemd-udev-trigger.service)")
	took=$(awk -v a="$trig" -v b="$last" 'BEGIN { printf "%.2f", b - a }')
	diag "FIGURES: coldplug ($phase): udev triggered at $trig s after the kernel started;" \
		"the last of $n_devs edu devices' add events taken up at $t_devs s; udev handled" \
		"their $n_nodes VFIO nodes from $first s to $last s: coldplug took $took s" \
		"($N removes of vb_slow one after the other would sleep $((N * DELAY / 1000)).$((N * DELAY % 1000 / 100)) s)"
	unit_start=$(systemctl show -p ExecMainStartTimestampMonotonic --value vfio-bind.service)
	unit_end=$(systemctl show -p ExecMainExitTimestampMonotonic --value vfio-bind.service)
	if [ "${unit_start:-0}" -gt 0 ]; then
		diag "FIGURES: vfio-bind.service ran from $(secs "$unit_start") s to $(secs "$unit_end") s;" \
			"this script started at $started s"
	else
		diag "FIGURES: vfio-bind.service did not run; this script started at $started s"
	fi
}

if [ "$phase" = save ]; then
	check "udev loaded vb_slow for the edu devices on its own" test -e /sys/module/vb_slow
	diag "vb_slow: $(modinfo -F filename vb_slow 2>&1)"
	alias=$(cat "$PCI/devices/${EDU%% *}/modalias")
	is "... the guest's module index sends the edu device's modalias to it" vb_slow \
		modprobe -R "$alias"
	all_on "udev's coldplug put all $N edu devices on vb_slow" vb_slow "(null)"
	is "... vb_slow probed each once" "$N" counter probes
	check "nothing is saved yet" test "$(saved_count)" -eq 0

	# shellcheck disable=SC2086 # the devices, one argument each
	vb $EDU
	is "one vfio-bind call on all $N exits 0" 0 echo "$rc"
	all_on "... all $N are on vfio-pci with the override" vfio-pci vfio-pci
	is "... each is saved" "$N" saved_count
	is "... vb_slow's remove ran once for each" "$N" counter removes
	diag "vb_slow: $(counters)"
	check "... no interrupted moves left in $TXN" no_notes
	is "... no stray files in $CONF" "" stray_files
	rm -rf "$KEEP"
	mkdir -p "$KEEP"
	cp "$CONF"/pci-*.conf "$KEEP/"
	sync
	finish
	exit
fi

# After the reboot. vmtest.service starts once the boot unit is done; settle (above)
# waits for udev to have handled every event.
all_on "after the reboot all $N saved devices are on vfio-pci with the override" vfio-pci vfio-pci
is "... none is on vb_slow" "" on_list vb_slow
check "... their state files are as saved" as_saved
check "no interrupted moves left: $TXN is empty" no_notes
diag "$TXN: $([ -d "$TXN" ] && echo "a directory, $(find "$TXN" -mindepth 1 | wc -l) entries" || echo "absent")"
check "udev loaded vb_slow for the edu devices" test -e /sys/module/vb_slow
probes=$(counter probes) removes=$(counter removes) most=$(counter max_in_flight)
diag "FIGURES: vb_slow ($phase): $(counters)"
unit=$(systemctl show -p ActiveState -p Result -p LoadState vfio-bind.service | sort | tr '\n' ' ')

case $phase in
check)
	# udev loads vb_slow for the first edu event it handles; vb_slow then probes, one
	# after the other, every edu device that has no override yet: neither the rule (its
	# event still waits) nor the boot unit (running at the same time) has set it.
	if [ "$probes" = 0 ]; then
		diag "vb_slow probed none of them: an override came first for every device"
	else
		diag "vb_slow probed $probes of the $N devices before an override reached them"
	fi
	is "every device vb_slow probed was taken off it again (removes = probes)" "$probes" echo "$removes"
	# The boot unit runs while coldplug does (it is ordered after the trigger only), so
	# udev loads vb_slow while the unit moves the devices: vb_slow can take a device the
	# unit found free, after the unit wrote its override (the kernel matches before it
	# takes the device's lock), and its first devices have no unbind file until its
	# registration ends. The unit takes such a device off again and waits for the file.
	if [ "$unit" = "ActiveState=active LoadState=loaded Result=success " ]; then
		ok "vfio-bind.service ran at boot and succeeded"
	else
		not_ok "vfio-bind.service ran at boot and succeeded"
		diag "  expected 'ActiveState=active LoadState=loaded Result=success ', got '$unit'"
	fi
	;;
check-preloaded)
	is "vfio-bind.service is masked for this boot: the rule alone" \
		"ActiveState=inactive LoadState=masked Result=success " echo "$unit"
	is "vb_slow had all $N before udev started (loaded by the initramfs, vmpreload=vb_slow)" \
		"$N" echo "$probes"
	is "the rule's runs took each off vb_slow: $N removes" "$N" echo "$removes"
	# Loading vb_slow probed one device after the other (at most 1 in flight) and no
	# probe ran since: more than one in flight now means removes at once, from
	# "vfio-bind --restore DEV" runs of the rule on different devices.
	check "... side by side: $most removes in flight at once (more than 1)" test "$most" -gt 1
	;;
esac

vb --restore
is "--restore now exits 0: nothing left to do" 0 echo "$rc"
all_on "... all $N stay on vfio-pci" vfio-pci vfio-pci
is "no stray files in $CONF" "" stray_files
timeline
journalctl -b --no-pager -o short-monotonic -u vfio-bind.service | sed 's/^/#   journal: /'
# What the kernel said about each device the boot unit names.
for d in $(journalctl -b --no-pager -u vfio-bind.service | grep -o '0000:[0-9a-f]*:[0-9a-f]*\.[0-7]' | sort -u); do
	dmesg | grep -F "$d" | grep -v -e '\] pci ' | sed 's/^/#   dmesg: /'
done

# For reading failures: what udev and the kernel said.
if [ "$tap_failed" -ne 0 ]; then
	show_udev
	dmesg | grep -E 'vb_slow|vfio' | tail -n 40 | sed 's/^/#   dmesg: /'
fi
finish
