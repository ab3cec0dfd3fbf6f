#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the persistence VM guest (layout "one"): the saved state under pressure.
#  - 8 parallel "vfio-bind --restore DEV" (and 8 parallel binds that each save) leave
#    the device on its VFIO driver, the state file intact and parseable, no temp files;
#  - a state file with the wrong owner or mode, a symbolic link or a corrupt file is
#    refused at --restore with a clear message, and the other saved device is still
#    restored; the udev rule must not honour an untrusted file either;
#  - a different device at a saved address (the e1000e's root port given a virtio NIC)
#    is left alone by the rule and refused by --restore with exit 1.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

VARIANT=e1000e-vfio-pci
settle
E1000E=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC is present"; finish; exit; }
VIRTIO=$(find_pci 1af4:1041) || { not_ok "a virtio-net NIC is present"; finish; exit; }
diag "e1000e 'e1' at $E1000E on rp1, virtio-net 'v1' at $VIRTIO on rp2"

# where DEV DRIVER OVERRIDE: the end state, shown when it is not that.
where() {
	[ "$(driver_of "$1")" = "$2" ] && [ "$(override_of "$1")" = "$3" ] && return 0
	show_state "$1"
	return 1
}
# parseable DEV: vfio-bind itself still reads the state file of DEV as its saved binding.
parseable() { [ "$(saved_of "$1")" = '"device"' ]; }
said_all() {
	local text
	for text in "$@"; do said "$text" || return 1; done
}

# --- 5. parallel runs -----------------------------------------------------------------
vb "$E1000E"
is "vfio-bind $E1000E binds and saves it" "$VARIANT" driver_of "$E1000E"
CE=$(conf_of "$E1000E")
diag "saved as $CE"
cp "$CE" /tmp/e1000e.conf
back_to_host "$E1000E"
is "(by hand: e1000e took it back, the binding still saved)" e1000e driver_of "$E1000E"

# parallel N ARGS...: N runs of vfio-bind ARGS at once; their exit codes in $codes.
parallel() {
	local n=$1 i pids=()
	shift
	for i in $(seq "$n"); do
		"$VB" "$@" >"/tmp/par.$i" 2>&1 &
		pids+=($!)
	done
	codes=
	for i in $(seq "$n"); do
		wait "${pids[$((i - 1))]}"
		codes="$codes$? "
	done
	codes=${codes% }
	diag "$n x vfio-bind $*: exit codes $codes"
	cat /tmp/par.* | sort | uniq -c | sed 's/^/#     /'
	rm -f /tmp/par.*
}
parallel 8 --restore "$E1000E"
is "8 parallel --restore $E1000E all exit 0" "0 0 0 0 0 0 0 0" echo "$codes"
check "... the device is on $VARIANT with its override" where "$E1000E" "$VARIANT" "$VARIANT"
check "... the state file is unchanged" cmp -s /tmp/e1000e.conf "$CE"
check "... and vfio-bind still reads it as saved" parseable "$E1000E"
is "... no temporary or stray files in $CONF" "" stray_files
settle
check "... udev saw nothing to redo" where "$E1000E" "$VARIANT" "$VARIANT"

back_to_host "$E1000E"
parallel 8 "$E1000E"
is "8 parallel binds (each saving) all exit 0" "0 0 0 0 0 0 0 0" echo "$codes"
check "... the device is on $VARIANT" where "$E1000E" "$VARIANT" "$VARIANT"
check "... the state file is whole and the same" cmp -s /tmp/e1000e.conf "$CE"
is "... no temporary or stray files in $CONF" "" stray_files

# --- 6. untrusted and corrupt state files ---------------------------------------------
vb "$VIRTIO"
is "the virtio NIC is bound and saved too" vfio-pci driver_of "$VIRTIO"
CV=$(conf_of "$VIRTIO")
cp "$CV" /tmp/virtio.conf

# refused WHY: both devices back on their host drivers, the e1000e's file made untrusted
# by the caller, then --restore: the e1000e must be refused with a message naming its
# file, and the virtio NIC restored all the same.
refused() {
	local why=$1
	vb --restore
	is "$why: --restore exits 1" 1 echo "$rc"
	check "... and says why, naming the file" said "$CE.*not trusted\|not trusted.*$CE"
	check "... the e1000e is left on e1000e, no override" where "$E1000E" e1000e "(null)"
	check "... the virtio NIC is restored all the same" where "$VIRTIO" vfio-pci vfio-pci
	vb --restore "$E1000E"
	is "$why: --restore $E1000E exits 1" 1 echo "$rc"
	check "... and says why" said "not trusted"
	check "... the e1000e is still on e1000e" where "$E1000E" e1000e "(null)"
}
untrust() { back_to_host "$E1000E"; back_to_host "$VIRTIO"; }

untrust
chown nobody "$CE"
refused "a state file owned by nobody"
chown root "$CE"

untrust
chmod 0666 "$CE"
refused "a state file with mode 0666"
chmod 0644 "$CE"

untrust
mv "$CE" /etc/e1000e.conf.real
ln -s /etc/e1000e.conf.real "$CE"
refused "a state file that is a symbolic link"
rm -f "$CE"
mv /etc/e1000e.conf.real "$CE"

untrust
printf 'VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:01:00.0\nVFIO_BIND_DRI' >"$CONF/pci-0000:09:00.0.conf"
printf 'garbage\0\n' >"$CONF/pci-0000:0a:00.0.conf"
vb --restore
is "two corrupt files: --restore exits 1" 1 echo "$rc"
check "... and names them" said_all "pci-0000:09:00.0.conf" "pci-0000:0a:00.0.conf"
check "... the e1000e is restored" where "$E1000E" "$VARIANT" "$VARIANT"
check "... and the virtio NIC" where "$VIRTIO" vfio-pci vfio-pci
rm -f "$CONF/pci-0000:09:00.0.conf" "$CONF/pci-0000:0a:00.0.conf"

# The udev rule reads the file itself: an untrusted one must not bind at hotplug either.
chmod 0666 "$CE"
check "QEMU device_del e1 (state file 0666)" host device_del e1
check "... gone" wait_for 60 absent "$E1000E"
settle
# vfio_pci stays: the virtio NIC is on it.
for mod in e1000e_vfio_pci e1000e; do
	[ ! -e "/sys/module/$mod" ] || modprobe -r "$mod"
done
check "QEMU device_add e1 (no e1000e, no variant loaded)" host device_add e1000e,id=e1,bus=rp1,netdev=n1,romfile=
check "... it is back" wait_for 60 present "$E1000E"
settle
sleep 1
if where "$E1000E" e1000e "(null)"; then
	ok "... the rule did not honour the untrusted file: on e1000e, no override"
else
	not_ok "... the rule did not honour the untrusted file: on e1000e, no override"
	diag "  e1000e_vfio_pci loaded: $([ -e /sys/module/e1000e_vfio_pci ] && echo yes || echo no)"
	show_udev
fi
chmod 0644 "$CE"
vb --restore "$E1000E"
check "with the file trusted again --restore binds it" where "$E1000E" "$VARIANT" "$VARIANT"

# --- 6. a different device at the saved address ---------------------------------------
check "QEMU device_del e1" host device_del e1
check "... gone" wait_for 60 absent "$E1000E"
settle
mark other-device
check "QEMU device_add a virtio NIC 'vx' on rp1, the e1000e's slot" \
	host device_add virtio-net-pci,id=vx,bus=rp1,netdev=n1,romfile=
check "... it appears at the saved address $E1000E" wait_for 60 present "$E1000E"
settle
sleep 1
is "... it is a virtio NIC" "0x1af4:0x1041" echo "$(cat "$PCI/devices/$E1000E/vendor"):$(cat "$PCI/devices/$E1000E/device")"
check "... the rule left it alone: virtio-pci, no override" where "$E1000E" virtio-pci "(null)"
vb --restore "$E1000E"
is "--restore $E1000E exits 1" 1 echo "$rc"
check "... saying a different device sits there" said "different device"
check "... and leaves it on virtio-pci, no override" where "$E1000E" virtio-pci "(null)"
check "... the saved binding is kept" cmp -s /tmp/e1000e.conf "$CE"
vb --restore
is "--restore (all) exits 1 too" 1 echo "$rc"
check "... the other device stays on virtio-pci" where "$E1000E" virtio-pci "(null)"
check "... the virtio NIC saved at $VIRTIO stays restored" where "$VIRTIO" vfio-pci vfio-pci

# The right device back in its slot: the saved binding applies again.
check "QEMU device_del vx" host device_del vx
check "... gone" wait_for 60 absent "$E1000E"
check "QEMU device_add the e1000e e1 again" host device_add e1000e,id=e1,bus=rp1,netdev=n1,romfile=
check "... it is back" wait_for 60 present "$E1000E"
settle
wait_for 30 on_driver "$E1000E" "$VARIANT"
check "... and the rule puts it on $VARIANT" where "$E1000E" "$VARIANT" "$VARIANT"

is "no stray files in $CONF" "" stray_files
finish
