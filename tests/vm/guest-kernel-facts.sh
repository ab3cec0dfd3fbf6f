#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the VM guest: checks, by hand with plain sysfs writes and no vfio-bind,
# the kernel behaviour vfio-bind is built on. When one of these fails the
# kernel changed, not the tool. $1 is the scenario: "iommu" or "noiommu".

# shellcheck source=guest-lib.sh
. /guest-lib.sh

scenario=$1
E1000E=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC (8086:10d3) is present"; finish; exit; }
VIRTIO=$(find_pci 1af4:1000 1af4:1041) || { not_ok "a virtio-net NIC is present"; finish; exit; }
diag "e1000e at $E1000E, virtio-net at $VIRTIO"

# override DEV NAME: the race-free order: override, unbind, then probe.
rebind() {
	if [ -n "$2" ]; then echo "$2" >"$PCI/devices/$1/driver_override"; else echo >"$PCI/devices/$1/driver_override"; fi
	[ -e "$PCI/devices/$1/driver" ] && echo "$1" >"$PCI/devices/$1/driver/unbind"
	echo "$1" >"$PCI/drivers_probe"
}

is "e1000e starts on e1000e" e1000e driver_of "$E1000E"
is "virtio-net starts on virtio-pci" virtio-pci driver_of "$VIRTIO"
is "driver_override reads (null) when unset" "(null)" override_of "$E1000E"

if [ "$scenario" = noiommu ]; then
	is "no IOMMU groups without intel_iommu" "" ls /sys/kernel/iommu_groups
	check "the device has no iommu_group link" test ! -e "$PCI/devices/$E1000E/iommu_group"
	modprobe vfio_pci
	echo vfio-pci >"$PCI/devices/$E1000E/driver_override"
	echo "$E1000E" >"$PCI/devices/$E1000E/driver/unbind"
	check "drivers_probe reports success although vfio-pci's probe fails" \
		sh -c "echo $E1000E >$PCI/drivers_probe"
	is "... and leaves the device with no driver" "(none)" driver_of "$E1000E"
	err=$( (echo "$E1000E" >"$PCI/drivers/vfio-pci/bind") 2>&1) && st=0 || st=$?
	check "drivers/vfio-pci/bind returns the probe's error" test "$st" -ne 0
	diag "  bind said: $err"
	dmesg | grep -E "vfio|probe of $E1000E" | sed 's/^/#   dmesg: /'
	rebind "$E1000E" ""
	is "clearing the override and probing puts it back on e1000e" e1000e driver_of "$E1000E"
	is "the override reads (null) again" "(null)" override_of "$E1000E"
	finish
	exit
fi

ge=$(group_of "$E1000E")
gv=$(group_of "$VIRTIO")
check "both NICs have an IOMMU group (e1000e $ge, virtio $gv)" test -n "$ge" -a -n "$gv"
check "each NIC is alone in its own group" test "$ge" != "$gv" -a \
	"$(find "/sys/kernel/iommu_groups/$ge/devices/" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1

t0=$(now_cs)
modprobe e1000e_vfio_pci
diag "modprobe e1000e_vfio_pci (with vfio, vfio_pci_core): $(($(now_cs) - t0))0 ms"
is "loading the variant does not take the device (override-only entry)" e1000e driver_of "$E1000E"
check "module e1000e_vfio_pci registered driver pci:e1000e-vfio-pci" \
	test -e /sys/module/e1000e_vfio_pci/drivers/pci:e1000e-vfio-pci
check "modules.alias holds the variant's vfio_pci alias" \
	grep -q '^alias vfio_pci:v00008086d000010D3sv\*sd\*bc\*sc\*i\* e1000e_vfio_pci$' \
	"/lib/modules/$(uname -r)/modules.alias"

t0=$(now_cs)
rebind "$E1000E" e1000e-vfio-pci
t1=$(now_cs)
is "override+unbind+drivers_probe moves e1000e to e1000e-vfio-pci" e1000e-vfio-pci driver_of "$E1000E"
check "/dev/vfio/$ge appears" test -c "/dev/vfio/$ge"
rebind "$E1000E" ""
t2=$(now_cs)
is "clearing the override and reprobing returns it to e1000e" e1000e driver_of "$E1000E"
is "the override reads (null) again" "(null)" override_of "$E1000E"
check "/dev/vfio/$ge is gone" test ! -e "/dev/vfio/$ge"
diag "by hand: bind $((t1 - t0))0 ms, unbind $((t2 - t1))0 ms"

# An override naming a module rather than a driver matches nothing.
modprobe vfio_pci
rebind "$E1000E" vfio_pci
is "override 'vfio_pci' (the module name) leaves the device driverless" "(none)" driver_of "$E1000E"
rebind "$E1000E" ""
is "... and clearing it restores e1000e" e1000e driver_of "$E1000E"

# An override makes its driver match whatever the id table says (pci_match_device's
# "driver_override will always match"): even a variant made for another device.
echo e1000e-vfio-pci >"$PCI/devices/$VIRTIO/driver_override"
echo "$VIRTIO" >"$PCI/devices/$VIRTIO/driver/unbind"
check "bind file accepts a device outside the variant's id table when overridden" \
	sh -c "echo $VIRTIO >$PCI/drivers/e1000e-vfio-pci/bind"
is "... and the e1000e variant now drives virtio-net" e1000e-vfio-pci driver_of "$VIRTIO"
rebind "$VIRTIO" ""
is "... clearing the override returns it to virtio-pci" virtio-pci driver_of "$VIRTIO"

# Without an override the bind file applies the id table, and says why it refused.
echo "$E1000E" >"$PCI/devices/$E1000E/driver/unbind"
err=$( (echo "$E1000E" >"$PCI/drivers/virtio-pci/bind") 2>&1) && st=0 || st=$?
check "bind file refuses a device the driver does not match" test "$st" -ne 0
diag "  bind said: $err"
echo "$E1000E" >"$PCI/drivers/e1000e/bind"
err=$( (echo "$E1000E" >"$PCI/drivers/e1000e/bind") 2>&1) && st=0 || st=$?
check "bind file refuses a device that is already bound" test "$st" -ne 0
diag "  bind said: $err"
is "... which stays on e1000e" e1000e driver_of "$E1000E"

rebind "$VIRTIO" vfio-pci
is "virtio-net binds to vfio-pci by override" vfio-pci driver_of "$VIRTIO"
check "/dev/vfio/$gv appears" test -c "/dev/vfio/$gv"
# The device's own VFIO node, /dev/vfio/devices/vfioN (6.6 on, CONFIG_VFIO_DEVICE_CDEV,
# which needs CONFIG_IOMMUFD): DEV/vfio-dev/vfioN is there from 6.1 on either way, and
# has a "dev" (a device number) exactly when the node exists; vfio-bind goes by that.
vdev=$(basename "$(find "$PCI/devices/$VIRTIO/vfio-dev" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 1)")
check "the device has a DEV/vfio-dev/vfioN ($vdev)" test -n "$vdev"
cdev=no node=no
[ -e "$PCI/devices/$VIRTIO/vfio-dev/$vdev/dev" ] && cdev=yes
[ -c "/dev/vfio/devices/$vdev" ] && node=yes
is "... with a 'dev' exactly when /dev/vfio/devices/$vdev exists" "$node" echo "$cdev"
diag "VFIO cdev: vfio-dev/$vdev/dev $cdev, /dev/vfio: $(ls /dev/vfio | tr '\n' ' ')"
rebind "$VIRTIO" ""
is "... and returns to virtio-pci" virtio-pci driver_of "$VIRTIO"

dmesg | grep -iE "DMAR|iommu|vfio" | head -n 20 | sed 's/^/#   dmesg: /'
finish
