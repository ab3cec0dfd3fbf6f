#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the VM guest: VFIO's device cdev on a real kernel (6.6 and later, here
# Debian's 6.12 with iommufd and vfio built out of tree, build-vfio-cdev.sh). $1 is
# the scenario: "iommu" (intel-iommu) or "noiommu" (no IOMMU, VFIO's no-IOMMU mode).
# Two NICs, each in a group of its own: an e1000e and a virtio-net.
#   the kernel: a VFIO driver gives the device vfio-dev/vfioN with a dev file, and
#     devtmpfs makes /dev/vfio/devices/vfioN; in no-IOMMU mode the kernel makes
#     vfio-dev/vfioN without a dev file and no node (6.12 gives no-IOMMU devices no
#     cdev), and the group node is /dev/vfio/noiommu-N
#   bind: the output, --json and --list --json name the cdev (none in no-IOMMU mode)
#     and the group node
#   a holder through the cdev alone, bound to an iommufd and an IO address space as
#     QEMU does: --unbind refuses naming it, promptly; --unbind --force waits for it
#     and finishes once it lets go
#   a holder through the group (a device fd from a type1 container; in no-IOMMU
#     mode, the group node alone): refused the same way
#   --owner gives the cdev as well as the group node
# Every test asserts on the state the devices end in, not on what the tool says it did.

# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. /guest-lib.sh

scenario=$1
HOLDER=/cdev/vfio-holder
LIMIT=60
PROMPT=10
E1000E=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC (8086:10d3) is present"; finish; exit; }
VIRTIO=$(find_pci 1af4:1000 1af4:1041) || { not_ok "a virtio-net NIC is present"; finish; exit; }
VB=$(command -v vfio-bind) || { not_ok "vfio-bind is installed in the guest"; finish; exit; }
diag "$scenario: e1000e at $E1000E, virtio-net at $VIRTIO, kernel $(uname -r)"

if [ "$scenario" = noiommu ]; then
	is "no IOMMU groups: the IOMMU is off" "" ls /sys/kernel/iommu_groups
	# As an administrator sets it: vfio-bind reads the option before vfio is loaded.
	mkdir -p /etc/modprobe.d
	echo "options vfio enable_unsafe_noiommu_mode=1" >/etc/modprobe.d/vfio-noiommu.conf
fi

# The device's cdev: DEV/vfio-dev/vfioN/dev, and the node devtmpfs made for it.
cdev_name() { basename "$(find "$PCI/devices/$1/vfio-dev" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 1)"; }
cdev_of() { n=$(cdev_name "$1") && [ -n "$n" ] && [ -e "$PCI/devices/$1/vfio-dev/$n/dev" ] && echo "/dev/vfio/devices/$n"; }
group_node_of() {
	g=$(group_of "$1") || return 1
	if [ "$(cat "/sys/kernel/iommu_groups/$g/name" 2>/dev/null)" = vfio-noiommu ]; then
		echo "/dev/vfio/noiommu-$g"
	else
		echo "/dev/vfio/$g"
	fi
}

# ---------------------------------------------------------------------------------
# 1. Bind: the cdev appears, and vfio-bind names it
# ---------------------------------------------------------------------------------
vb "$E1000E" "$VIRTIO"
is "binding both NICs exits 0" 0 echo "$rc"
state "... the e1000e is on vfio-pci" "$E1000E" vfio-pci vfio-pci
state "... the virtio-net is on vfio-pci" "$VIRTIO" vfio-pci vfio-pci
check "iommufd is loaded and /dev/iommu exists" test -e /sys/module/iommufd -a -c /dev/iommu
CE=$(cdev_of "$E1000E")
CV=$(cdev_of "$VIRTIO")
GE=$(group_node_of "$E1000E")
GV=$(group_node_of "$VIRTIO")
diag "e1000e: $GE and $CE; virtio-net: $GV and $CV; /dev/vfio/devices: $(ls /dev/vfio/devices 2>&1 | tr '\n' ' ')"
check "the group nodes are there ($GE, $GV)" test -c "$GE" -a -c "$GV"
if [ "$scenario" = noiommu ]; then
	check "no-IOMMU: the group node is noiommu-N" matches "$GE" '^/dev/vfio/noiommu-[0-9]*$'
	n=$(cdev_name "$E1000E")
	check "no-IOMMU: the kernel made vfio-dev/$n, without a dev file" \
		test -n "$n" -a ! -e "$PCI/devices/$E1000E/vfio-dev/$n/dev"
	check "... and no node under /dev/vfio/devices" test -z "$(ls /dev/vfio/devices 2>/dev/null)"
	check "the bind's output names the group node, and no cdev" said "$E1000E: e1000e -> vfio-pci (module vfio_pci), $GE\$"
	vb --list --json "$E1000E"
	is "--list --json exits 0" 0 echo "$rc"
	check "... vfio_cdev is null" matches "$(flat)" '"vfio_cdev":null'
	check "... vfio_group_node is $GE" matches "$(flat)" "\"vfio_group_node\":\"$GE\""
else
	check "the e1000e has a cdev ($CE), a character device" test -n "$CE" -a -c "$CE"
	check "the virtio-net has another ($CV)" test -n "$CV" -a -c "$CV" -a "$CE" != "$CV"
	check "the bind's output names the group node and the cdev" said "$E1000E: e1000e -> vfio-pci (module vfio_pci), $GE and $CE"
	vb --list --json "$E1000E"
	is "--list --json exits 0" 0 echo "$rc"
	check "... vfio_cdev is $CE" matches "$(flat)" "\"vfio_cdev\":\"$CE\""
	check "... vfio_group_node is $GE" matches "$(flat)" "\"vfio_group_node\":\"$GE\""
fi

vb --unbind "$VIRTIO"
is "--unbind of the virtio-net exits 0" 0 echo "$rc"
state "... back on virtio-pci" "$VIRTIO" virtio-pci
check "... its cdev is gone" test -z "$CV" -o ! -e "$CV"
vb --json "$VIRTIO"
is "binding it again with --json exits 0" 0 echo "$rc"
CV=$(cdev_of "$VIRTIO")
GV=$(group_node_of "$VIRTIO")
if [ "$scenario" = iommu ]; then
	check "... the JSON names its new cdev ($CV)" matches "$(flat)" "\"vfio_cdev\":\"$CV\""
else
	check "... the JSON names no cdev" matches "$(flat)" '"vfio_cdev":null'
fi
check "... and its group node ($GV)" matches "$(flat)" "\"vfio_group_node\":\"$GV\""

if [ "$scenario" = iommu ]; then
	# -----------------------------------------------------------------------------
	# 2. Held through the cdev, as QEMU holds a device with iommufd: no group at all
	# -----------------------------------------------------------------------------
	start_holder /tmp/h1.log -i "$CE" 20
	verdict "a holder has $CE open, bound to /dev/iommu (pid $hpid)"
	hfds=$(ls -l "/proc/$hpid/fd" 2>/dev/null | sed 's/.*-> //' | tr '\n' ' ')
	diag "its files: $hfds"
	case " $hfds " in *" $GE "*) not_ok "... and not the group" ;; *) ok "... and not the group" ;; esac
	vb --unbind "$E1000E"
	is "--unbind while it is held through the cdev is refused, exit 1" 1 echo "$rc"
	check "... promptly (${ms} ms, under $PROMPT s)" test "$ms" -lt $((PROMPT * 1000))
	check "... naming the process: pid $hpid (vfio-holder) through $CE" said "process $hpid (vfio-holder) through $CE"
	state "... the e1000e stays on vfio-pci" "$E1000E" vfio-pci vfio-pci
	forced_unbind_waits "$E1000E" "$CE" /tmp/h1.log
	state "... back on e1000e, no override" "$E1000E" e1000e
	wait "$hpid"

	# -----------------------------------------------------------------------------
	# 3. Held through the group: a device fd from a type1 container, as before iommufd
	# -----------------------------------------------------------------------------
	vb "$E1000E"
	is "the e1000e bound again exits 0" 0 echo "$rc"
	GE=$(group_node_of "$E1000E")
	modprobe vfio_iommu_type1 || true
	start_holder /tmp/h2.log -d "$E1000E" "$GE" 20
	verdict "a holder has $GE and a device fd of $E1000E (pid $hpid)"
else
	# -----------------------------------------------------------------------------
	# 3. No-IOMMU mode has no cdev to hold the device through: the group node
	# -----------------------------------------------------------------------------
	start_holder /tmp/h2.log "$GE" 20
	verdict "a holder has $GE open (pid $hpid)"
fi
vb --unbind "$E1000E"
is "--unbind while it is held through the group is refused, exit 1" 1 echo "$rc"
check "... promptly (${ms} ms, under $PROMPT s)" test "$ms" -lt $((PROMPT * 1000))
check "... naming the process: pid $hpid (vfio-holder) through $GE" said "process $hpid (vfio-holder) through $GE"
state "... the e1000e stays on vfio-pci" "$E1000E" vfio-pci vfio-pci
kill "$hpid"
wait "$hpid"

# ---------------------------------------------------------------------------------
# 4. --owner gives the cdev too
# ---------------------------------------------------------------------------------
vb --unbind "$VIRTIO"
vb --owner 4242:4343 "$VIRTIO"
is "--owner 4242:4343 exits 0" 0 echo "$rc"
CV=$(cdev_of "$VIRTIO")
GV=$(group_node_of "$VIRTIO")
is "... the group node $GV is 4242:4343, mode 660" "4242:4343 660" stat -c '%u:%g %a' "$GV"
if [ "$scenario" = iommu ]; then
	is "... the cdev $CV as well" "4242:4343 660" stat -c '%u:%g %a' "$CV"
fi
vb --unbind "$VIRTIO" "$E1000E"
is "both given back exits 0" 0 echo "$rc"
state "... the virtio-net is on virtio-pci" "$VIRTIO" virtio-pci
state "... the e1000e is on e1000e" "$E1000E" e1000e
check "... no cdev is left" test -z "$(ls /dev/vfio/devices 2>/dev/null)"

dmesg | grep -iE 'vfio|iommufd' | grep -v 'taints kernel\|verification failed' | sed 's/^/#   dmesg: /'
finish
