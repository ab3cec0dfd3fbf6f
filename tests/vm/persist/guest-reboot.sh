#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the persistence VM guest, once per boot of a reboot test; all boots share
# one disk. $1 is the phase:
#   save             bind the e1000e at 01:00.0 (saved) and power off; with layout "two"
#                    the second e1000e at 03:00.0 stays on e1000e, unsaved
#   check            the next boot: after coldplug the saved e1000e is on its VFIO driver,
#                    the unsaved one on e1000e, the boot unit ran and succeeded; with
#                    one e1000e, e1000e (a module udev loads for the device) never
#                    probed it (with two, the other one's event races it: reported)
#   check-preloaded  a boot with e1000e loaded before udev starts (vmpreload=e1000e):
#                    both e1000e are bound when udev sees them; the rule must still
#                    hand the saved one over to its VFIO driver
#   check-rule-only  as check, with vfio-bind.service masked (systemd.mask=): the udev
#                    rule alone does the job at coldplug
#   check-unit-only  with the udev rule masked (vmmask=60-vfio-bind.rules): the boot
#                    unit alone still puts the device on its VFIO driver (e1000e may
#                    have had it first); the last boot on a disk, the mask stays
# Asserts on the end state: driver link, driver_override, state file, kernel log.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

phase=$1
VARIANT=e1000e-vfio-pci
E1000E=0000:01:00.0
OTHER=0000:03:00.0
KEEP=/var/lib/vmtest
settle
VIRTIO=$(find_pci 1af4:1041) || VIRTIO=none
two=no
[ -e "$PCI/devices/$OTHER" ] && two=yes
diag "phase $phase: saved e1000e $E1000E, second e1000e: $two, virtio-net $VIRTIO"

if [ "$phase" = save ]; then
	is "the e1000e starts on e1000e" e1000e driver_of "$E1000E"
	vb "$E1000E"
	is "vfio-bind $E1000E exits 0" 0 echo "$rc"
	is "... it is on $VARIANT" "$VARIANT" driver_of "$E1000E"
	check "... and saved" test -f "$(conf_of "$E1000E")"
	mkdir -p "$KEEP"
	cp "$(conf_of "$E1000E")" "$KEEP/e1000e.conf"
	[ "$two" = no ] || is "the second e1000e stays on e1000e, unsaved" "e1000e null" \
		echo "$(driver_of "$OTHER") $(saved_of "$OTHER")"
	sync
	finish
	exit
fi

# After the reboot.
dmesg_e=$(dmesg | e1000e_lines "$E1000E")
is "after the reboot the saved e1000e is on $VARIANT" "$VARIANT" driver_of "$E1000E"
is "... with its override" "$VARIANT" override_of "$E1000E"
check "... its state file is as saved" cmp -s "$KEEP/e1000e.conf" "$(conf_of "$E1000E")"
probed="e1000e printed $(printf '%s' "$dmesg_e" | grep -c .) lines about $E1000E"
case $phase-$two in
check-no | check-rule-only-*)
	# With one e1000e, nothing but this device makes udev load e1000e: the rule's
	# override is in place first, and e1000e must pass the device by.
	check "udev loaded e1000e during coldplug" test -e /sys/module/e1000e
	if [ -z "$dmesg_e" ]; then
		ok "... and e1000e never probed $E1000E (no 'e1000e $E1000E' line in the kernel log)"
	else
		not_ok "... and e1000e never probed $E1000E"
		printf '%s\n' "$dmesg_e" | sed 's/^/#   dmesg: /'
	fi
	;;
check-yes)
	# The other e1000e's event loads e1000e, racing this device's event to its override.
	diag "two e1000e at coldplug: $probed" ;;
check-preloaded-*) diag "e1000e was loaded before udev started: $probed" ;;
check-unit-only-*) diag "without the rule: $probed" ;;
esac
if [ "$two" = yes ]; then
	is "the unsaved e1000e $OTHER is on e1000e" e1000e driver_of "$OTHER"
	is "... with no override" "(null)" override_of "$OTHER"
	is "... and not saved" null saved_of "$OTHER"
fi
is "the virtio NIC is on virtio-pci" virtio-pci driver_of "$VIRTIO"

unit=$(systemctl show -p ConditionResult -p ActiveState -p Result -p LoadState vfio-bind.service | sort | tr '\n' ' ')
if [ "$phase" = check-rule-only ]; then
	is "vfio-bind.service is masked for this boot: the rule did it all" \
		"ActiveState=inactive ConditionResult=no LoadState=masked Result=success " echo "$unit"
else
	is "vfio-bind.service ran at boot and succeeded" \
		"ActiveState=active ConditionResult=yes LoadState=loaded Result=success " echo "$unit"
fi
[ "$phase" != check-unit-only ] ||
	is "the udev rule is masked for this boot" /dev/null readlink /etc/udev/rules.d/60-vfio-bind.rules
journalctl -b --no-pager -o short-monotonic -u vfio-bind.service | sed 's/^/#   journal: /'
vb --restore
is "--restore now exits 0: nothing left to do" 0 echo "$rc"
is "... the e1000e stays on $VARIANT" "$VARIANT" driver_of "$E1000E"
check "no stray files in $CONF" test -z "$(stray_files)"

# For reading failures: the kernel's words on the e1000e.
[ "$tap_failed" -eq 0 ] || dmesg | grep -E "$E1000E|e1000e|vfio" | sed 's/^/#   dmesg: /'
finish
