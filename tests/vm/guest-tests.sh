#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the VM guest: vfio-bind against a real kernel. Every test asserts on the
# state the device ends in (driver link, driver_override, /dev/vfio), not on what the
# tool says it did. $1 is the scenario: "iommu" (intel-iommu, intel_iommu=on) or
# "noiommu" (no IOMMU at all).

# shellcheck source=guest-lib.sh
. /guest-lib.sh

scenario=$1
E1000E=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC (8086:10d3) is present"; finish; exit; }
VIRTIO=$(find_pci 1af4:1000 1af4:1041) || { not_ok "a virtio-net NIC is present"; finish; exit; }
VB=$(command -v vfio-bind) || { not_ok "vfio-bind is installed in the guest"; finish; exit; }
diag "e1000e at $E1000E, virtio-net at $VIRTIO, $VB"

# at_rest DESCRIPTION: both NICs on their host drivers with no override, as at boot.
at_rest() {
	if [ "$(driver_of "$E1000E")" = e1000e ] && [ "$(override_of "$E1000E")" = "(null)" ] &&
		[ "$(driver_of "$VIRTIO")" = virtio-pci ] && [ "$(override_of "$VIRTIO")" = "(null)" ]; then
		ok "$1"
	else
		not_ok "$1"
		show_state "$E1000E" "$VIRTIO"
	fi
}

at_rest "both NICs start on their host drivers (e1000e, virtio-pci), no override"

# What starting any program costs here (TCG is slow), to read the timings below against.
t0=$(now_cs)
/bin/true
diag "running /bin/true the same way takes $(($(now_cs) - t0))0 ms"

if [ "$scenario" = noiommu ]; then
	is "no IOMMU groups: the IOMMU is off" "" ls /sys/kernel/iommu_groups

	vb "$E1000E"
	is "bind without an IOMMU exits 1" 1 echo "$rc"
	check "... and says to boot with intel_iommu=on" said intel_iommu=on
	at_rest "... and leaves the device untouched on e1000e"

	vb --force "$E1000E"
	is "--force past the IOMMU check: vfio's probe fails, exit 1" 1 echo "$rc"
	at_rest "... and rolls back to e1000e with no override"

	vb --force "$E1000E" "$VIRTIO"
	is "--force on a batch of two: both fail, exit 1" 1 echo "$rc"
	at_rest "... and both are back on their host drivers"
	finish
	exit
fi

ge=$(group_of "$E1000E")
gv=$(group_of "$VIRTIO")
check "both NICs have an IOMMU group of their own ($ge, $gv)" test -n "$ge" -a -n "$gv" -a "$ge" != "$gv"
check "no VFIO module is loaded yet" test ! -e /sys/module/vfio -a ! -e /sys/module/e1000e_vfio_pci

# Dry run: the plan, and nothing done.
vb --dry-run "$E1000E"
is "--dry-run exits 0" 0 echo "$rc"
check "... names the variant module e1000e_vfio_pci" said e1000e_vfio_pci
at_rest "... and changes nothing"
[ -e /sys/module/e1000e_vfio_pci ] && diag "note: --dry-run loaded module e1000e_vfio_pci"

# The variant beats vfio-pci for the device it names.
vb "$E1000E"
is "bind e1000e exits 0" 0 echo "$rc"
is "... the variant e1000e-vfio-pci won over vfio-pci" e1000e-vfio-pci driver_of "$E1000E"
check "... /dev/vfio/$ge exists" test -c "/dev/vfio/$ge"
check "... the tool loaded the VFIO modules itself (libkmod)" \
	test -e /sys/module/e1000e_vfio_pci -a -e /sys/module/vfio_pci_core
diag "driver_override after bind: $(override_of "$E1000E")"

vb "$E1000E"
is "binding it again exits 0 (already there counts)" 0 echo "$rc"
is "... and it stays on e1000e-vfio-pci" e1000e-vfio-pci driver_of "$E1000E"

vb --unbind "$E1000E"
is "--unbind exits 0" 0 echo "$rc"
is "... driver back to e1000e" e1000e driver_of "$E1000E"
is "... driver_override reads (null)" "(null)" override_of "$E1000E"
check "... /dev/vfio/$ge is gone" test ! -e "/dev/vfio/$ge"

vb --unbind "$E1000E"
is "--unbind of a device already on its host driver exits 0" 0 echo "$rc"
at_rest "... and changes nothing"

# An explicit driver skips the search.
vb -d vfio-pci "$E1000E"
is "-d vfio-pci exits 0" 0 echo "$rc"
is "... driver is vfio-pci, not the variant" vfio-pci driver_of "$E1000E"
check "... /dev/vfio/$ge exists" test -c "/dev/vfio/$ge"
vb --unbind "$E1000E"
is "... --unbind exits 0" 0 echo "$rc"
at_rest "... back on e1000e, no override"

# No variant names the virtio NIC: vfio-pci's catch-all alias wins.
vb "$VIRTIO"
is "bind virtio-net exits 0" 0 echo "$rc"
is "... driver is vfio-pci (the e1000e variant is not chosen)" vfio-pci driver_of "$VIRTIO"
check "... /dev/vfio/$gv exists" test -c "/dev/vfio/$gv"
vb --unbind "$VIRTIO"
is "... --unbind exits 0" 0 echo "$rc"
is "... driver back to virtio-pci" virtio-pci driver_of "$VIRTIO"
at_rest "... no override left"

# Two devices, one call.
vb "$E1000E" "$VIRTIO"
is "bind both in one call exits 0" 0 echo "$rc"
is "... e1000e on e1000e-vfio-pci" e1000e-vfio-pci driver_of "$E1000E"
is "... virtio-net on vfio-pci" vfio-pci driver_of "$VIRTIO"
check "... /dev/vfio/$ge and /dev/vfio/$gv exist" test -c "/dev/vfio/$ge" -a -c "/dev/vfio/$gv"
vb --unbind "$E1000E" "$VIRTIO"
is "--unbind both in one call exits 0" 0 echo "$rc"
at_rest "... both back on their host drivers, no override"

# By the interface's name (the kernel's ethN here: no udev renames it): resolved to the
# NIC, said, bound and saved by the address, as the address would be.
ifc=$(ls "$PCI/devices/$E1000E/net" 2>/dev/null | head -n 1)
vb "$ifc"
is "bind the e1000e by its interface name ($ifc) exits 0" 0 echo "$rc"
check "... says which device it is (network interface $ifc ($E1000E))" said "network interface $ifc ($E1000E)"
is "... e1000e on e1000e-vfio-pci" e1000e-vfio-pci driver_of "$E1000E"
"$VB" --list --json "$E1000E" 2>/dev/null | tr -d ' \n' | grep -q '"saved":"device"'
verdict "... saved by its address (--list: saved \"device\")"
vb --unbind "$E1000E"
at_rest "... --unbind by address: back on e1000e, no override"
vb nosuchif0
is "a name that is no address, interface or disk is a usage error, exit 2" 2 echo "$rc"
check "... saying what it looked for" said "network interface or block device"

# Saved bindings: a bind is saved unless --no-save, --unbind forgets it,
# --restore re-applies it, here after the host driver took the device back by hand as
# it would at a boot without the udev rule.
saved_of() {
	"$VB" --list --json "$1" 2>/dev/null | tr -d '\n' | sed -nE 's/.*"saved": *("[^"]*"|null).*/\1/p'
}
vb "$E1000E"
is "a bind is saved" '"device"' saved_of "$E1000E"
rebind_by_hand() {
	echo >"$PCI/devices/$1/driver_override"
	echo "$1" >"$PCI/devices/$1/driver/unbind"
	echo "$1" >"$PCI/drivers_probe"
}
rebind_by_hand "$E1000E"
is "(by hand: the host driver took it back)" e1000e driver_of "$E1000E"
vb --restore
is "--restore exits 0" 0 echo "$rc"
is "... and puts the saved device back on e1000e-vfio-pci" e1000e-vfio-pci driver_of "$E1000E"
vb --unbind "$E1000E"
is "--unbind forgets the saved binding" null saved_of "$E1000E"
at_rest "... back on e1000e, no override"

vb --no-save "$VIRTIO"
is "--no-save binds" vfio-pci driver_of "$VIRTIO"
is "... and saves nothing" null saved_of "$VIRTIO"
vb --unbind "$VIRTIO"
at_rest "... --unbind puts it back"

vid="$(sed 's/^0x//' "$PCI/devices/$VIRTIO/vendor"):$(sed 's/^0x//' "$PCI/devices/$VIRTIO/device")"
vb --id "$vid"
is "--id $vid exits 0" 0 echo "$rc"
is "... binds the device with that ID to vfio-pci" vfio-pci driver_of "$VIRTIO"
# Hex case is not part of the contract; --list's own "id" field is lower case.
saved=$(saved_of "$VIRTIO")
is "... and saves the ID" "\"id $vid\"" echo "$(echo "$saved" | tr 'A-F' 'a-f')"
[ "$saved" = "\"id $vid\"" ] || diag "note: saved reads $saved, the id field $vid"
is "... leaving the e1000e alone" e1000e driver_of "$E1000E"
vb --unbind --id "$vid"
is "--unbind --id exits 0" 0 echo "$rc"
is "... and forgets the ID" null saved_of "$VIRTIO"
at_rest "... both back on their host drivers, no override"

# --list --json: one JSON array with an object per device (no jq in busybox: the
# checks are on the text with whitespace squeezed out).
vb --list --json
is "--list --json exits 0" 0 echo "$rc"
flat=$(printf '%s' "$out" | tr -d ' \t\n')
check "... prints one JSON array" matches "$flat" '^\[.*\]$'
check "... braces and brackets balance" test \
	"$(printf '%s' "$flat" | tr -cd '{' | wc -c)" -eq "$(printf '%s' "$flat" | tr -cd '}' | wc -c)" -a \
	"$(printf '%s' "$flat" | tr -cd '[' | wc -c)" -eq "$(printf '%s' "$flat" | tr -cd ']' | wc -c)"
obj_e=$(printf '%s' "$flat" | sed 's/},{/}\n{/g' | grep "\"$E1000E\"")
obj_v=$(printf '%s' "$flat" | sed 's/},{/}\n{/g' | grep "\"$VIRTIO\"")
check "... lists the e1000e with its variant" matches "$obj_e" 'e1000e[-_]vfio[-_]pci'
check "... lists virtio-net with vfio-pci" matches "$obj_v" '"vfio[-_]pci"'
check "... and not with the e1000e variant" test -n "$obj_v" -a -z "$(printf '%s' "$obj_v" | grep e1000e)"
check "... the e1000e's class in words (Ethernet controller)" matches "$obj_e" '"class_name":"Ethernetcontroller"'
node=$(cat "$PCI/devices/$E1000E/numa_node")
want_node=$node
[ "$node" -ge 0 ] 2>/dev/null || want_node=null
check "... and its NUMA node as the kernel says ($node: $want_node)" matches "$obj_e" "\"numa_node\":$want_node[,}]"
vb --list --class net
is "--list --class net exits 0" 0 echo "$rc"
check "... shows both NICs" sh -c 'printf "%s\n" "$1" | grep -q "$2" && printf "%s\n" "$1" | grep -q "$3"' - "$out" "$E1000E" "$VIRTIO"
check "... and no bridge" sh -c '! printf "%s\n" "$1" | grep -q "bridge"' - "$out"

vb --list "$E1000E"
is "--list DEVICE (text) exits 0" 0 echo "$rc"

# --owner: the group node goes to an unprivileged user (QEMU under libvirt, DPDK), who can
# then open it; after a remove and rescan --restore gives it again (udev's rule does at
# boot and hotplug: vm-persist); after --unbind the user cannot.
echo "vbuser:x:4242:4243::/:/bin/sh" >>/etc/passwd
echo "vbgroup:x:4243:" >>/etc/group
echo "vbother:x:4244:4244::/:/bin/sh" >>/etc/passwd
opens_as() { # USER NODE
	su -s /bin/sh "$1" -c "exec 3<>$2" 2>/dev/null
}
vb --owner vbuser:vbgroup "$VIRTIO"
is "--owner vbuser:vbgroup exits 0" 0 echo "$rc"
gnode=$(group_node "$VIRTIO")
is "... its group node $gnode is vbuser's and vbgroup's, mode 660" "4242:4243 660" stat -c '%u:%g %a' "$gnode"
check "... vbuser opens it" opens_as vbuser "$gnode"
check "... another user cannot" sh -c "! su -s /bin/sh vbother -c 'exec 3<>$gnode' 2>/dev/null"
check "... the owner is saved with the binding" grep -q "^VFIO_BIND_OWNER=4242:4243\$" /etc/vfio-bind.d/pci-"$VIRTIO"*.conf
check "... --list shows it" sh -c '"$1" --list "$2" | grep -q "vbuser:vbgroup"' - "$VB" "$VIRTIO"
echo 1 >"$PCI/devices/$VIRTIO/remove"
echo 1 >"$PCI/rescan"
vb --restore "$VIRTIO"
is "after sysfs remove and rescan, --restore exits 0" 0 echo "$rc"
state "... on vfio-pci" "$VIRTIO" vfio-pci vfio-pci
gnode=$(group_node "$VIRTIO")
is "... its group node is vbuser's again" "4242:4243 660" stat -c '%u:%g %a' "$gnode"
check "... vbuser opens it" opens_as vbuser "$gnode"
vb --unbind "$VIRTIO"
is "--unbind exits 0" 0 echo "$rc"
check "... vbuser cannot open it any more" sh -c "! su -s /bin/sh vbuser -c 'exec 3<>$gnode' 2>/dev/null"
vb --owner nosuchuser "$VIRTIO"
is "an unknown user is a usage error, exit 2" 2 echo "$rc"
state "... nothing moved" "$VIRTIO" virtio-pci

# Reset methods (reset_method, Linux 5.15+): what the kernel lists for virtio-net behind
# its root port, and one of them alone, set before vfio-pci binds.
RM=$PCI/devices/$VIRTIO/reset_method
methods=$(cat "$RM")
diag "virtio-net's reset methods: '$methods'"
one=${methods##* }
check "(the kernel offers virtio-net more than one reset method: '$methods')" test "$one" != "$methods"
check "--list --json shows them" sh -c 'vfio-bind --list --json "$1" | tr -d " \n" | grep -q "\"reset_method\":\"$2\""' \
	- "$VIRTIO" "$(echo "$methods" | tr ' ' ',')"
vb --reset-method "$one" "$VIRTIO"
is "--reset-method $one exits 0" 0 echo "$rc"
is "... the device's reset_method is '$one' alone" "$one" cat "$RM"
state "... on vfio-pci" "$VIRTIO" vfio-pci vfio-pci
check "... saved with the binding" grep -q "^VFIO_BIND_RESET_METHOD=$one\$" /etc/vfio-bind.d/pci-"$VIRTIO"*.conf
vb --reset-method cxl_bus "$VIRTIO"
is "a method it does not offer (cxl_bus) exits 1" 1 echo "$rc"
check "... saying which it has" said "does not offer reset method 'cxl_bus'"
is "... reset_method unchanged" "$one" cat "$RM"
state "... still on vfio-pci" "$VIRTIO" vfio-pci vfio-pci
echo "$VIRTIO" >"$PCI/devices/$VIRTIO/driver/unbind"
echo >"$PCI/devices/$VIRTIO/driver_override"
echo default >"$RM"
echo "$VIRTIO" >"$PCI/drivers_probe"
vb --restore "$VIRTIO"
is "--restore of it, handed back by hand with default methods, exits 0" 0 echo "$rc"
is "... sets the saved reset method again" "$one" cat "$RM"
state "... on vfio-pci" "$VIRTIO" vfio-pci vfio-pci
vb --unbind "$VIRTIO"
is "--unbind exits 0" 0 echo "$rc"
is "... and gives back the kernel's default methods" "$methods" cat "$RM"
state "... on virtio-pci" "$VIRTIO" virtio-pci
vb --reset-method nosuch "$VIRTIO"
is "an unknown method is a usage error, exit 2" 2 echo "$rc"

# Bad input is refused before anything is touched.
vb ../../etc
is "'../../etc' is a usage error, exit 2" 2 echo "$rc"
vb 0000:7f:1f.7
is "a device that does not exist fails, exit 1" 1 echo "$rc"
check "... and the error names it" said 0000:7f:1f.7
vb
is "no DEVICE is a usage error, exit 2" 2 echo "$rc"
vb --no-such-option "$E1000E"
is "an unknown option is a usage error, exit 2" 2 echo "$rc"
at_rest "after the bad input nothing changed"

finish
