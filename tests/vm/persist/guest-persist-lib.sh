# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for the persistence guest scripts (bash, in the systemd guest), sourced after
# /vmtest/guest-lib.sh: hotplug through the host, waiting with limits, udev, vfio-bind
# runs, and the kernel log since a mark.

CONF=/etc/vfio-bind.d
VB=$(command -v vfio-bind) || VB=/usr/local/sbin/vfio-bind

# The host listens on the second serial port. Kept open all along: a port that nobody
# holds open drops what comes in. Raw, so the host's lines come back as sent.
exec {host_fd}<>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo
host_n=0

# host COMMAND: has the host run a QEMU monitor command (device_add/device_del ...);
# succeeds when it says "ok". A device_del is answered once QEMU has let the device go.
host() {
	local ack got=no
	host_n=$((host_n + 1))
	printf 'VMTEST-REQ %d %s\n' "$host_n" "$*" >&"$host_fd"
	while IFS= read -r -t 120 ack <&"$host_fd"; do
		ack=${ack%$'\r'}
		case $ack in
		"VMTEST-ACK $host_n "*) got=yes; break ;;
		esac
	done
	if [ "$got" = yes ]; then
		host_reply=${ack#"VMTEST-ACK $host_n "}
	else
		host_reply="error: no answer from the host in 120 s"
	fi
	diag "host: $* -> $host_reply"
	[ "$host_reply" = ok ]
}

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds, for at most SECONDS of
# uptime (under TCG each poll costs a good part of a second: counting polls is no clock).
wait_for() {
	local now end
	read -r now _ </proc/uptime
	end=$((${now%.*} + $1))
	shift
	until "$@"; do
		read -r now _ </proc/uptime
		[ "${now%.*}" -lt "$end" ] || return 1
		sleep 0.2
	done
}

present() { [ -e "$PCI/devices/$1" ]; }
absent() { [ ! -e "$PCI/devices/$1" ]; }
on_driver() { [ "$(driver_of "$1")" = "$2" ]; }

# udev has handled every event so far (the tests may wait; the rule must not).
settle() { udevadm settle --timeout=60 || diag "udevadm settle timed out"; }

# vb ARGS...: runs vfio-bind; status in $rc, stdout in $out, stderr in $err; both shown.
vb() {
	out=$("$VB" "$@" 2>/tmp/vb.err)
	rc=$?
	err=$(cat /tmp/vb.err)
	diag "\$ vfio-bind $* -> exit $rc"
	{ [ -z "$out" ] || echo "$out"; [ -z "$err" ] || echo "$err"; } | sed 's/^/#     /'
}
said() { printf '%s\n%s\n' "$out" "$err" | grep -q -- "$1"; }

# mark NAME: a line in the kernel log; since NAME prints the log after it.
mark() { echo "vmtest: mark $1" >/dev/kmsg; }
since() { dmesg | sed -n "/vmtest: mark $1\$/,\$p"; }
# Lines the host driver e1000e printed about DEV: it printed some when it probed DEV.
e1000e_lines() { grep -E "e1000e $1( |:)" || true; }

# back_to_host DEV: the host driver takes DEV back by hand, its saved binding kept, as
# after a boot without the rule.
back_to_host() {
	echo >"$PCI/devices/$1/driver_override"
	[ ! -e "$PCI/devices/$1/driver" ] || echo "$1" >"$PCI/devices/$1/driver/unbind"
	echo "$1" >"$PCI/drivers_probe"
}

# The saved file of DEV: named by address and modalias ("pci-DEV=MODALIAS.conf"), or by
# address alone; the first that exists, else the plain name. And whether vfio-bind
# --list calls DEV saved.
conf_of() {
	local f
	for f in "$CONF/pci-$1="*.conf "$CONF/pci-$1.conf"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "$f"
			return
		fi
	done
	echo "$CONF/pci-$1.conf"
}
saved_of() {
	"$VB" --list --json "$1" 2>/dev/null | tr -d '\n' | sed -nE 's/.*"saved": *("[^"]*"|null).*/\1/p'
}
# Files in the state directory that are not saved bindings or the owners mark (temporary files, debris).
stray_files() { find "$CONF" -mindepth 1 ! -name '*.conf' ! -name .lock ! -name .owners; }

# What the udev rule and the boot unit did, for reading failures.
show_udev() {
	journalctl -b --no-pager -o short-monotonic -u systemd-udevd -u vfio-bind.service 2>/dev/null |
		tail -n 20 | sed 's/^/#   journal: /'
}
