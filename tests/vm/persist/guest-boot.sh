#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the persistence VM guest: the guest itself is what the other scripts
# assume. systemd is PID 1, systemd-udevd ran the coldplug with the installed rule, the
# NICs are on their host drivers, nothing saved yet, and hotplug through the host works.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

is "PID 1 is systemd" systemd cat /proc/1/comm
is "systemd-udevd is running" active systemctl is-active systemd-udevd.service
settle
check "vfio-bind is installed in the guest ($VB)" test -x "$VB"
check "the udev rule is installed" test -f /lib/udev/rules.d/60-vfio-bind.rules
is "vfio-bind.service is enabled" enabled systemctl is-enabled vfio-bind.service
diag "vfio-bind.service: $(systemctl show -p ActiveState -p ConditionResult vfio-bind.service | tr '\n' ' ')"
check "nothing is saved yet" test ! -e "$CONF" -o -z "$(ls -A "$CONF" 2>/dev/null)"

E1000E=$(find_pci 8086:10d3) || E1000E=none
VIRTIO=$(find_pci 1af4:1041 1af4:1000) || VIRTIO=none
diag "e1000e at $E1000E, virtio-net at $VIRTIO"
is "coldplug put the e1000e on e1000e" e1000e driver_of "$E1000E"
is "... and the virtio NIC on virtio-pci" virtio-pci driver_of "$VIRTIO"
check "no VFIO module is loaded" test ! -e /sys/module/vfio_pci_core -a ! -e /sys/module/e1000e_vfio_pci
mods=$(modprobe -R 'vfio_pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00' 2>&1 | tr '\n' ' ')
check "the variant's alias is in the guest's modules.alias ($mods)" matches "$mods" e1000e_vfio_pci

# Hotplug through the host: a virtio NIC into the empty root port rp4 and out again.
t0=$(now_cs)
check "the host hot-adds a virtio NIC on rp4" host device_add virtio-net-pci,id=hp,bus=rp4,netdev=n4,romfile=
new=0000:04:00.0
check "... it appears at $new" wait_for 30 present "$new"
diag "... after $(($(now_cs) - t0))0 ms"
settle
is "... on virtio-pci" virtio-pci driver_of "$new"
t0=$(now_cs)
check "the host removes it" host device_del hp
check "... and it is gone from the guest" absent "$new"
diag "... after $(($(now_cs) - t0))0 ms"
host quit
check "the host refuses other requests" test "$host_reply" != ok

finish
