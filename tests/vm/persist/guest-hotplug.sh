#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the persistence VM guest (layout "one"): saved bindings across hotplug,
# applied by the installed udev rule under the real systemd-udevd.
#  - a saved e1000e removed and added again, by QEMU's device_del/device_add and by
#    sysfs remove + rescan, ends on its VFIO driver each time: once with the host driver
#    and the VFIO module already loaded (the rule hands over to vfio-bind --restore), once
#    with neither loaded (the rule sets the override before udev loads e1000e, which must
#    never probe the device);
#  - an ID rule (vfio-bind --id) binds a device hot-added after the rule was saved, and
#    no longer once the rule is gone.
# Asserts on the end state: driver link, driver_override, state files, kernel log.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

VARIANT=e1000e-vfio-pci
settle
E1000E=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC is present"; finish; exit; }
VIRTIO=$(find_pci 1af4:1041) || { not_ok "a virtio-net NIC is present"; finish; exit; }
diag "e1000e 'e1' at $E1000E on rp1, virtio-net 'v1' at $VIRTIO on rp2"
E_ADD="e1000e,id=e1,bus=rp1,netdev=n1,romfile="

# on_vfio DESCRIPTION DEV DRIVER: DEV ended on DRIVER with the override naming it; waits
# for udev first, as the rule may still be at work.
on_vfio() {
	settle
	wait_for 30 on_driver "$2" "$3"
	if [ "$(driver_of "$2")" = "$3" ] && [ "$(override_of "$2")" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		show_state "$2"
		show_udev
	fi
}
# never_probed MARK DEV: the host driver e1000e printed nothing about DEV since MARK.
never_probed() {
	local lines
	lines=$(since "$1" | e1000e_lines "$2")
	if [ -z "$lines" ]; then
		ok "... e1000e never probed it (no 'e1000e $2' line in the kernel log)"
	else
		not_ok "... e1000e never probed it"
		printf '%s\n' "$lines" | sed 's/^/#   dmesg: /'
	fi
}
# unload_all: no VFIO module and no e1000e, as on a host that has not loaded them yet.
unload_all() {
	for mod in e1000e_vfio_pci vfio_pci vfio_pci_core e1000e; do
		[ ! -e "/sys/module/$mod" ] || modprobe -r "$mod"
	done
	! [ -e /sys/module/e1000e_vfio_pci ] && ! [ -e /sys/module/e1000e ]
}

# --- 1. a saved e1000e, hot-removed and hot-added -------------------------------------
vb "$E1000E"
is "vfio-bind $E1000E binds it" "$VARIANT" driver_of "$E1000E"
check "... and saves $(conf_of "$E1000E")" test -f "$(conf_of "$E1000E")"
cp "$(conf_of "$E1000E")" /tmp/e1000e.conf
sed 's/^/#   saved: /' /tmp/e1000e.conf

# a. QEMU device_del/device_add, e1000e and the variant loaded.
check "QEMU device_del e1" host device_del e1
check "... the device is gone" wait_for 30 absent "$E1000E"
settle
check "... its saved binding stays" cmp -s /tmp/e1000e.conf "$(conf_of "$E1000E")"
mark add-loaded
t0=$(now_cs)
check "QEMU device_add e1 (e1000e and the variant loaded)" host device_add "$E_ADD"
check "... it is back at $E1000E" wait_for 30 present "$E1000E"
on_vfio "... and ends on $VARIANT, override set" "$E1000E" "$VARIANT"
diag "... in $(($(now_cs) - t0))0 ms; e1000e had it first and printed $(since add-loaded | e1000e_lines "$E1000E" | wc -l) lines"
check "... the saved binding is unchanged" cmp -s /tmp/e1000e.conf "$(conf_of "$E1000E")"

# b. The same with neither module loaded: the override must come before e1000e loads.
check "QEMU device_del e1 again" host device_del e1
check "... gone" wait_for 30 absent "$E1000E"
settle
check "e1000e and the VFIO modules unloaded" unload_all
mark add-unloaded
check "QEMU device_add e1 (no module loaded)" host device_add "$E_ADD"
check "... it is back" wait_for 30 present "$E1000E"
on_vfio "... and ends on $VARIANT, override set" "$E1000E" "$VARIANT"
never_probed add-unloaded "$E1000E"
check "... although udev loaded e1000e for it" test -e /sys/module/e1000e

# c. sysfs remove + rescan, modules loaded.
echo 1 >"$PCI/devices/$E1000E/remove"
check "sysfs remove: the device is gone" wait_for 30 absent "$E1000E"
settle
check "... its saved binding stays" cmp -s /tmp/e1000e.conf "$(conf_of "$E1000E")"
echo 1 >"$PCI/rescan"
check "sysfs rescan (modules loaded): it is back" wait_for 30 present "$E1000E"
on_vfio "... and ends on $VARIANT, override set" "$E1000E" "$VARIANT"

# d. sysfs remove + rescan, no module loaded.
echo 1 >"$PCI/devices/$E1000E/remove"
check "sysfs remove again: gone" wait_for 30 absent "$E1000E"
settle
check "e1000e and the VFIO modules unloaded" unload_all
mark rescan-unloaded
echo 1 >"$PCI/rescan"
check "sysfs rescan (no module loaded): it is back" wait_for 30 present "$E1000E"
on_vfio "... and ends on $VARIANT, override set" "$E1000E" "$VARIANT"
never_probed rescan-unloaded "$E1000E"
is "the virtio NIC was left alone" virtio-pci driver_of "$VIRTIO"

# e. A saved reset method is set again when the device comes back: by the rule, at add;
# and its group node is given to the saved owner again as it appears: by the rule too.
vb --reset-method bus --owner 4242:4243 "$VIRTIO"
is "vfio-bind --reset-method bus --owner 4242:4243 $VIRTIO exits 0" 0 echo "$rc"
is "... its reset_method is 'bus'" bus cat "$PCI/devices/$VIRTIO/reset_method"
vnode=/dev/vfio/$(basename "$(readlink "$PCI/devices/$VIRTIO/iommu_group")")
settle
is "... its group node $vnode is 4242:4243, mode 660" "4242:4243 660" stat -c '%u:%g %a' "$vnode"
echo 1 >"$PCI/devices/$VIRTIO/remove"
check "sysfs remove of it: gone" wait_for 30 absent "$VIRTIO"
settle
echo 1 >"$PCI/rescan"
check "sysfs rescan: it is back" wait_for 30 present "$VIRTIO"
on_vfio "... and ends on vfio-pci, override set" "$VIRTIO" vfio-pci
is "... with its saved reset method alone (the kernel's own list is longer)" bus \
	cat "$PCI/devices/$VIRTIO/reset_method"
settle
vnode=/dev/vfio/$(basename "$(readlink "$PCI/devices/$VIRTIO/iommu_group")")
is "... its new group node $vnode is the owner's again (the rule, as the node appeared)" "4242:4243 660" \
	stat -c '%u:%g %a' "$vnode"
check "... which user 4242 opens" setpriv --reuid=4242 --regid=4243 --clear-groups sh -c "exec 3<>$vnode"
vb --unbind "$VIRTIO"
is "--unbind of it exits 0" 0 echo "$rc"
is "... virtio-pci has it" virtio-pci driver_of "$VIRTIO"
check "... with the kernel's default reset methods again" \
	sh -c '[ "$(cat "$1")" != bus ] && [ -n "$(cat "$1")" ]' - "$PCI/devices/$VIRTIO/reset_method"

# --- 4. ID rules cover devices that appear later --------------------------------------
vid="$(sed 's/^0x//' "$PCI/devices/$VIRTIO/vendor"):$(sed 's/^0x//' "$PCI/devices/$VIRTIO/device")"
vb --id "$vid"
is "vfio-bind --id $vid exits 0" 0 echo "$rc"
is "... binds the virtio NIC present now" vfio-pci driver_of "$VIRTIO"
rule=$(find "$CONF" -maxdepth 1 -iname "pci-id-$vid.conf")
check "... and saves the rule ($rule)" test -n "$rule"
V2=0000:03:00.0
check "QEMU device_add a virtio NIC 'v2' on rp3 (virtio_pci loaded)" \
	host device_add virtio-net-pci,id=v2,bus=rp3,netdev=n3,romfile=
check "... it appears at $V2" wait_for 30 present "$V2"
on_vfio "... and the ID rule puts it on vfio-pci" "$V2" vfio-pci
saved=$(saved_of "$V2" | tr A-F a-f)
is "... --list says it is saved by the rule" "\"id $vid\"" echo "$saved"
check "... no per-address file was made for it" test ! -e "$(conf_of "$V2")"

# The same for an e1000e, with e1000e unloaded: nothing but the rule may take it.
E3=0000:04:00.0
vb --id 8086:10d3
is "vfio-bind --id 8086:10d3 exits 0" 0 echo "$rc"
is "... the saved e1000e stays on $VARIANT" "$VARIANT" driver_of "$E1000E"
mark id-e1000e
check "QEMU device_add an e1000e 'e3' on rp4" host device_add e1000e,id=e3,bus=rp4,netdev=n4,romfile=
check "... it appears at $E3" wait_for 30 present "$E3"
on_vfio "... and the ID rule puts it on $VARIANT" "$E3" "$VARIANT"
diag "... e1000e printed $(since id-e1000e | e1000e_lines "$E3" | wc -l) lines about it"

# Rules gone: the devices go back, and a device added now stays on its host driver.
vb --unbind --id "$vid"
is "vfio-bind --unbind --id $vid exits 0" 0 echo "$rc"
check "... the rule file is gone" test ! -e "$rule"
is "... the virtio NIC $VIRTIO is back on virtio-pci" virtio-pci driver_of "$VIRTIO"
is "... and $V2 too" virtio-pci driver_of "$V2"
check "QEMU device_del v2" host device_del v2
check "... gone" wait_for 30 absent "$V2"
check "QEMU device_add v2 again" host device_add virtio-net-pci,id=v2,bus=rp3,netdev=n3,romfile=
check "... it appears" wait_for 30 present "$V2"
settle
sleep 1
is "... and stays on virtio-pci, no rule covering it" virtio-pci driver_of "$V2"
is "... with no override" "(null)" override_of "$V2"

vb --unbind --id 8086:10d3
is "vfio-bind --unbind --id 8086:10d3 exits 0" 0 echo "$rc"
is "... $E3 goes back to e1000e" e1000e driver_of "$E3"
diag "after --unbind --id 8086:10d3, $E1000E (saved by address) is on $(driver_of "$E1000E"), saved: $(saved_of "$E1000E")"

check "no stray files in $CONF" test -z "$(stray_files)"
finish
