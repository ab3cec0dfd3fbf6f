#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the safety guest (see ./machine for its devices): vfio-bind's safety
# checks against a real kernel. Every test asserts on the state
# things end in (driver links, driver_override, mounts, interfaces, /dev/vfio), and
# refusals also on the two lines the user reads. Parts:
#   1  IOMMU groups: two NICs behind a PCIe-to-PCI bridge share a group
#   2  block devices in use: a mounted partition, a swap partition, one md holds
#   3  network interfaces in use: up with an address, a port of a bridge that is
#   4  devices held open through /dev/vfio: refused, and --force waits for the holder
#   5  SR-IOV: a PF with VFs refused (and really refused by vfio-pci), its VFs bound
#   6  the boot VGA device: the firmware framebuffer (vesafb) on its BAR 0, then a
#      driver (bochs-drm) on the device itself
#   6b a host driver built into the kernel (8250_pci's "serial"): said on bind, in --list
#   7  --group as one transaction when the second member's module cannot load
#      (last: it sets kernel.modules_disabled, which cannot be undone)
# The kernel's own words on what happened are shown as "dmesg:" diagnostics.

# shellcheck source=../guest-lib.sh
. /guest-lib.sh

HOLDER=/safety/vfio-holder
# No vfio-bind call here may take longer; a hung sysfs write must show as a failure.
LIMIT=60
# A refusal must come within this many seconds, well before any holder here lets go
# (TCG on a busy CI machine: starting vfio-bind alone can take a second or two).
PROMPT=10

# Host drivers of the extra devices, as udev's coldplug would load them; /init did the
# virtio and e1000e ones. ext4 serves ext2; bridge is for the bridge-port test.
# ext4 asks the crypto API for crc32c, and the kernel's request_module would run
# /sbin/modprobe, which this initramfs does not have.
for mod in e1000 virtio_blk nvme ext4 crc32c_generic bridge md_mod; do
	modprobe "$mod" || diag "modprobe $mod failed"
done

VNET=$(find_pci 1af4:1041 1af4:1000) || { not_ok "a virtio-net NIC is present"; finish; exit; }
VBLK=$(find_pci 1af4:1042 1af4:1001) || { not_ok "a virtio-blk disk is present"; finish; exit; }
NIC1=$(find_pci 8086:100e) || { not_ok "an e1000 NIC (8086:100e) is present"; finish; exit; }
NIC2=$(find_pci 8086:10d3) || { not_ok "an e1000e NIC (8086:10d3) is present"; finish; exit; }
BRIDGE=$(find_pci 1b36:000e) || { not_ok "a pcie-pci-bridge (1b36:000e) is present"; finish; exit; }
# Found before it has VFs, which have the same IDs.
NVME=$(find_pci 1b36:0010) || { not_ok "an NVMe controller (1b36:0010) is present"; finish; exit; }
VGA=$(find_pci 1234:1111) || { not_ok "a VGA device (1234:1111) is present"; finish; exit; }
SERIAL=$(find_pci 1b36:0002) || { not_ok "a PCI serial card (1b36:0002) is present"; finish; exit; }
VB=$(command -v vfio-bind) || { not_ok "vfio-bind is installed in the guest"; finish; exit; }
diag "virtio-net $VNET, virtio-blk $VBLK, bridge $BRIDGE with e1000 $NIC1 and e1000e $NIC2, NVMe $NVME, VGA $VGA"

# said_twice TEXT DEVICE: TEXT was said, and a refusal of DEVICE took two lines on
# stderr (why, and what to do).
said_twice() { said "$1" && [ "$(grep -c "^vfio-bind: $2: " /tmp/vb.err)" -ge 2 ]; }
# The JSON object of one device in $out (no jq in busybox).
json_of() { flat | sed 's/},{/}\n{/g' | grep "\"device\":\"$1\""; }

# The devices of IOMMU group $1, on one line.
members() {
	for m in "/sys/kernel/iommu_groups/$1/devices"/*; do printf '%s\n' "${m##*/}"; done | tr '\n' ' ' | sed 's/ $//'
}

# The kernel's messages since the last mark, as diagnostics.
dmesg_mark() { mark=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n +$((mark + 1)) | sed 's/^/#   dmesg: /'; }

# The network interface and block devices of a PCI device, by their sysfs path.
iface_of() {
	real=$(readlink -f "$PCI/devices/$1")
	for n in /sys/class/net/*; do
		case $(readlink -f "$n") in "$real"/*) basename "$n"; return 0 ;; esac
	done
	return 1
}
# has_block DEVICE NAME: NAME (vda, vda1) is a block device under DEVICE.
has_block() { case $(readlink -f "/sys/class/block/$2" 2>/dev/null) in "$(readlink -f "$PCI/devices/$1")"/*) return 0 ;; esac; return 1; }
is_up() { [ $(($(cat "/sys/class/net/$1/flags" 2>/dev/null || echo 0) & 1)) -eq 1 ]; }
mounted() { grep -q "^$1 $2 " /proc/mounts; }

# ---------------------------------------------------------------------------------
# 1. IOMMU groups
# ---------------------------------------------------------------------------------
for g in /sys/kernel/iommu_groups/*; do
	diag "  IOMMU group ${g##*/}: $(members "${g##*/}")"
done
G=$(group_of "$NIC1")
check "the two NICs behind the bridge share IOMMU group $G with it" \
	test -n "$G" -a "$(group_of "$NIC2")" = "$G" -a "$(group_of "$BRIDGE")" = "$G"
is "... and nothing else is in it" "$BRIDGE $NIC1 $NIC2" members "$G"
check "virtio-net and virtio-blk have groups of their own" \
	test "$(members "$(group_of "$VNET")")" = "$VNET" -a "$(members "$(group_of "$VBLK")")" = "$VBLK"
diag "bridge $BRIDGE driver: $(driver_of "$BRIDGE") (shpchp's probe fails on QEMU's SHPC)"
state "e1000 starts on e1000, no override" "$NIC1" e1000
state "e1000e starts on e1000e, no override" "$NIC2" e1000e

vb --list --json "$NIC1"
check "--list --json: the group is not viable as it stands (both NICs on host drivers)" \
	matches "$(json_of "$NIC1")" '"group_viable":false'
check "... and shows no SR-IOV relation" matches "$(json_of "$NIC1")" '"sriov":null'

vb --no-save "$BRIDGE"
is "binding the bridge itself is refused, exit 1" 1 echo "$rc"
check "... because it is a bridge (two lines: why, what to do)" said_twice "PCI bridge" "$BRIDGE"
state "... and it is untouched" "$BRIDGE" "(none)"

vb --no-save --json "$NIC1"
is "binding one member of the shared group exits 0" 0 echo "$rc"
state "... it is on vfio-pci" "$NIC1" vfio-pci vfio-pci
state "... the other member stays on e1000e" "$NIC2" e1000e
check "... a warning names the other member and its driver" \
	grep -q "warning: .*not viable.*$NIC2 (e1000e)" /tmp/vb.err
obj=$(json_of "$NIC1")
check "... JSON: \"group_viable\": false" matches "$obj" '"group_viable":false'
check "... JSON: \"group_blockers\" names $NIC2 (e1000e)" matches "$obj" "\"group_blockers\":\"$NIC2(e1000e)\""
is "... the kernel agrees: the group is not viable (VFIO_GROUP_GET_STATUS)" "not viable" \
	"$HOLDER" -s "$(group_node "$NIC1")"
vb --list --json "$NIC1"
check "... --list --json says the group is not viable" matches "$(json_of "$NIC1")" '"group_viable":false'
vb --unbind "$NIC1"
state "... --unbind: back on e1000, no override" "$NIC1" e1000

dmesg_mark
vb --no-save --group --json "$NIC1"
is "--group on one member exits 0" 0 echo "$rc"
state "... e1000 on vfio-pci" "$NIC1" vfio-pci vfio-pci
state "... e1000e on its variant e1000e-vfio-pci" "$NIC2" e1000e-vfio-pci e1000e-vfio-pci
state "... the bridge is left alone" "$BRIDGE" "(none)"
check "... JSON has both members and not the bridge" \
	test -n "$(json_of "$NIC1")" -a -n "$(json_of "$NIC2")" -a -z "$(json_of "$BRIDGE")"
# Viability is reported as the group stands once every member has moved.
check "... neither member reports the group as not viable" \
	test -z "$(flat | grep '"group_viable":false')"
check "... and no warning that it is not viable" \
	test -z "$(grep 'not viable' /tmp/vb.err)"
check "... /dev/vfio/$G exists" test -c "/dev/vfio/$G"
is "... the kernel agrees: the group is viable" viable "$HOLDER" -s "/dev/vfio/$G"
vb --list --json "$NIC2"
check "... --list --json says the group is viable" matches "$(json_of "$NIC2")" '"group_viable":true'
dmesg_new
vb --unbind "$NIC1" "$NIC2"
is "--unbind of both exits 0" 0 echo "$rc"
state "... e1000 back on e1000" "$NIC1" e1000
state "... e1000e back on e1000e" "$NIC2" e1000e

# Both members named in one batch, without --group: they move side by side, and the
# group is judged where the batch put them both, not half-moved.
vb --no-save --json "$NIC1" "$NIC2"
is "both members named in one call exits 0" 0 echo "$rc"
state "... e1000 on vfio-pci" "$NIC1" vfio-pci vfio-pci
state "... e1000e on its variant e1000e-vfio-pci" "$NIC2" e1000e-vfio-pci e1000e-vfio-pci
check "... neither reports the group as not viable" \
	test -z "$(flat | grep '"group_viable":false')"
check "... and no warning that it is not viable" \
	test -z "$(grep 'not viable' /tmp/vb.err)"
is "... the kernel agrees: the group is viable" viable "$HOLDER" -s "/dev/vfio/$G"
vb --unbind "$NIC2" "$NIC1"
is "--unbind of both, the other way round, exits 0" 0 echo "$rc"
state "... e1000 back on e1000" "$NIC1" e1000
state "... e1000e back on e1000e" "$NIC2" e1000e

# The transaction, first failure: the second member's VFIO module may not be loaded.
# modprobe.d "blacklist" is policy libkmod applies to modules found by alias, and the
# variant is found by its vfio_pci: alias. Every member is decided, and its module
# loaded, before any moves: so e1000 is never touched when e1000e's module fails.
rmmod e1000e_vfio_pci || diag "rmmod e1000e_vfio_pci failed"
mkdir -p /etc/modprobe.d
echo "blacklist e1000e_vfio_pci" >/etc/modprobe.d/safety-test.conf
dmesg_mark
vb --no-save --group --json "$NIC1"
is "--group with the second member's VFIO module blacklisted exits 1" 1 echo "$rc"
state "... e1000 is back on e1000, no override" "$NIC1" e1000
state "... e1000e is still on e1000e, no override" "$NIC2" e1000e
check "... the error says the module is blacklisted" said "blacklisted"
check "... JSON: e1000 was not moved (nothing to roll back)" \
	matches "$(json_of "$NIC1")" '"status":"failed".*"rolled_back":false'
check "... e1000 never left e1000 (no probe of it in dmesg)" \
	test "$(dmesg | tail -n +$((mark + 1)) | grep -c "e1000 $NIC1")" -eq 0
dmesg_new
check "... the variant was not loaded" test ! -e /sys/module/e1000e_vfio_pci

# "Back where they were" for a member that was on vfio-pci before: it stays there.
vb --no-save "$NIC1"
vb --no-save --group "$NIC1"
is "--group, e1000 already on vfio-pci, the second member failing: exit 1" 1 echo "$rc"
state "... e1000 stays on vfio-pci, where it was" "$NIC1" vfio-pci vfio-pci
state "... e1000e stays on e1000e" "$NIC2" e1000e
vb --unbind "$NIC1"
state "(e1000 back on e1000)" "$NIC1" e1000
rm /etc/modprobe.d/safety-test.conf

# ---------------------------------------------------------------------------------
# 2. Block devices in use
# ---------------------------------------------------------------------------------
# Two primary partitions on the blank disk, written by hand (busybox has no sfdisk):
# vda1 type 83 from sector 2048, 32 MiB; vda2 type 82 (swap) after it, 16 MiB.
# part TYPE START SECTORS: a partition table entry (no CHS, LBA only). The bytes go
# through printf's format as octal escapes: NULs would not survive a $(...).
# shellcheck disable=SC2059 # the format is the data
part() { printf "\\000\\000\\000\\000\\$1\\000\\000\\000$(le32 "$2")$(le32 "$3")"; }
le32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
{
	part 203 2048 65536
	part 202 67584 32768
	dd if=/dev/zero bs=32 count=1 2>/dev/null
	printf '\125\252'
} | dd of=/dev/vda bs=1 seek=446 conv=notrunc 2>/dev/null
blockdev --rereadpt /dev/vda
i=0
while [ ! -b /dev/vda2 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
has_block "$VBLK" vda1 && has_block "$VBLK" vda2
verdict "the disk has partitions vda1 and vda2 under $VBLK"
mke2fs -q /dev/vda1 && mkdir -p /mnt && mount -t ext2 /dev/vda1 /mnt && echo safety-data >/mnt/file
check "vda1 is formatted (ext2) and mounted on /mnt" mounted /dev/vda1 /mnt

vb --no-save "$VBLK"
is "binding the disk while vda1 is mounted is refused, exit 1" 1 echo "$rc"
check "... naming the mount (/dev/vda1 is mounted on /mnt)" said "/dev/vda1 is mounted on /mnt"
check "... and saying what to do (two lines)" said_twice "unmount it first" "$VBLK"
state "... the disk stays on virtio-pci, no override" "$VBLK" virtio-pci
mounted /dev/vda1 /mnt && [ "$(cat /mnt/file)" = safety-data ]
verdict "... still mounted, the file still readable"

vb --no-save --dry-run "$VBLK"
is "--dry-run is refused the same way, exit 1" 1 echo "$rc"

# By the names people know, the disk is refused exactly as its address is.
vb --no-save vda
is "binding it as 'vda' is refused the same way, exit 1" 1 echo "$rc"
check "... saying which device vda is (block device vda ($VBLK))" said "block device vda ($VBLK)"
check "... and naming the mount" said "/dev/vda1 is mounted on /mnt"
vb --no-save /dev/vda1
is "as '/dev/vda1' (a partition's node) too, exit 1" 1 echo "$rc"
check "... resolved to the disk's device" said "block device /dev/vda1 ($VBLK)"
state "... the disk stays on virtio-pci, no override" "$VBLK" virtio-pci

umount /mnt
mkswap /dev/vda2 >/dev/null && swapon /dev/vda2
check "(vda1 unmounted; vda2 is swap)" grep -q '^/dev/vda2 ' /proc/swaps
vb --no-save "$VBLK"
is "binding the disk while vda2 is swap is refused, exit 1" 1 echo "$rc"
check "... naming the swap (/dev/vda2 is a swap device)" said "/dev/vda2 is a swap device"
check "... and saying what to do (swapoff)" said "swapoff /dev/vda2"
state "... the disk stays on virtio-pci" "$VBLK" virtio-pci
swapoff /dev/vda2

# md without mdadm: an array with no metadata, made through sysfs
# (Documentation/admin-guide/md.rst); adding vda2 to it makes md0 its holder.
echo md0 >/sys/module/md_mod/parameters/new_array
echo none >/sys/block/md0/md/metadata_version
cat /sys/class/block/vda2/dev >/sys/block/md0/md/new_dev
is "(md0 holds vda2: /sys/class/block/vda2/holders)" md0 ls /sys/class/block/vda2/holders
vb --no-save "$VBLK"
is "binding the disk while md holds vda2 is refused, exit 1" 1 echo "$rc"
check "... naming the holder (/dev/vda2 is held by md0)" said "/dev/vda2 is held by md0"
check "... and saying what to do (two lines)" said_twice "stop md0 first" "$VBLK"
state "... the disk stays on virtio-pci" "$VBLK" virtio-pci
echo clear >/sys/block/md0/md/array_state
is "(md0 cleared: vda2 has no holder)" "" ls /sys/class/block/vda2/holders

vb --no-save vda
is "unmounted, swapped off and let go by md, the disk binds by its name (vda), exit 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VBLK" vfio-pci vfio-pci
check "... vda is gone from the host" test ! -e /sys/class/block/vda
vb --unbind "$VBLK"
state "... --unbind: back on virtio-pci" "$VBLK" virtio-pci
i=0
while [ ! -b /dev/vda1 ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
mount -t ext2 /dev/vda1 /mnt && [ "$(cat /mnt/file)" = safety-data ] && umount /mnt
verdict "... and the data is still there"

# ---------------------------------------------------------------------------------
# 3. Network interfaces in use
# ---------------------------------------------------------------------------------
IF=$(iface_of "$VNET") || IF=none
[ "$IF" != none ] && ! is_up "$IF"
verdict "virtio-net has an interface ($IF), down"
vb --no-save --dry-run "$VNET"
is "an interface that is down does not stop a bind (--dry-run exit 0)" 0 echo "$rc"

# Up with no address of its own: the kernel still gives it an IPv6 link-local address
# and the routes fe80::/64 and ff00::/8 on it.
ip link set "$IF" up
i=0
while ! grep -q "$IF\$" /proc/net/if_inet6 && [ $i -lt 30 ]; do usleep 100000; i=$((i + 1)); done
diag "$IF up, no address given: if_inet6 and ipv6_route rows on it:"
grep " $IF\$" /proc/net/if_inet6 /proc/net/ipv6_route | sed 's/^/#   /'
vb --no-save --dry-run "$VNET"
diag "note: an interface that is up with only its link-local address: exit $rc ($(if [ "$rc" = 0 ]; then echo allowed; else echo refused; fi))"

ip addr add 192.0.2.10/24 dev "$IF"
check "(up with 192.0.2.10/24: a route on it in /proc/net/route)" grep -q "^$IF	" /proc/net/route
vb --no-save "$VNET"
is "binding a NIC that is up with an address is refused, exit 1" 1 echo "$rc"
check "... naming the interface" said "network interface $IF is up"
check "... and saying what to do (two lines)" said_twice "ip link set $IF down" "$VNET"
state "... the NIC stays on virtio-pci, no override" "$VNET" virtio-pci
ip addr show dev "$IF" | grep -q '192.0.2.10/24'
verdict "... $IF is still up with its address"

# In a batch the busy NIC is refused and the free one moves: each its own transaction.
vb --no-save "$VNET" "$NIC1"
is "a batch of the busy NIC and a free one exits 1" 1 echo "$rc"
check "... the busy one is refused, naming the interface" said "network interface $IF is up"
state "... it stays on virtio-pci, no override" "$VNET" virtio-pci
ip addr show dev "$IF" | grep -q '192.0.2.10/24'
verdict "... $IF is still up with its address"
state "... the free one (e1000) is on vfio-pci" "$NIC1" vfio-pci vfio-pci
vb --unbind "$NIC1"
state "(e1000 back on e1000)" "$NIC1" e1000

dmesg_mark
vb --no-save --force "$VNET"
is "--force binds it anyway, exit 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VNET" vfio-pci vfio-pci
check "... $IF is gone" test ! -e "/sys/class/net/$IF"
check "... /dev/vfio/$(group_of "$VNET") exists" test -c "$(group_node "$VNET")"
dmesg_new
vb --unbind "$VNET"
state "... --unbind: back on virtio-pci" "$VNET" virtio-pci

# A port of a bridge is busy when the bridge is: the port itself has no address, the
# bridge has one. IPv6 is off on both, so neither has even a link-local address.
IF=$(iface_of "$VNET") || IF=none
brctl addbr br0 && brctl addif br0 "$IF"
echo 1 >"/proc/sys/net/ipv6/conf/$IF/disable_ipv6"
echo 1 >/proc/sys/net/ipv6/conf/br0/disable_ipv6
ip link set "$IF" up && ip link set br0 up
vb --no-save --dry-run "$VNET"
is "a bridge port, up, no addresses, bridge up without address: allowed (--dry-run exit 0)" 0 echo "$rc"
ip addr add 192.0.2.20/24 dev br0
vb --no-save "$VNET"
is "a port of a bridge that is up with an address is refused, exit 1" 1 echo "$rc"
check "... naming the port and the bridge" said "$IF is part of br0"
state "... the NIC stays on virtio-pci" "$VNET" virtio-pci
ip link set br0 down
brctl delif br0 "$IF"
brctl delbr br0
ip link set "$IF" down

# ---------------------------------------------------------------------------------
# 4. Held open through /dev/vfio
# ---------------------------------------------------------------------------------
vb --no-save "$VNET"
state "(virtio-net bound again, interface down: no --force needed)" "$VNET" vfio-pci vfio-pci
GN=$(group_node "$VNET")

# 4a. Only the group file open, as a program that has not got to the device yet.
start_holder /tmp/h1.log "$GN" 30
check "a holder has $GN open (pid $hpid)" alive "$hpid"
vb --unbind "$VNET"
is "--unbind while it is held is refused, exit 1" 1 echo "$rc"
check "... promptly (${ms} ms, under $PROMPT s)" test "$ms" -lt $((PROMPT * 1000))
check "... naming the process: pid $hpid (vfio-holder) through $GN" said "process $hpid (vfio-holder) through $GN"
check "... and saying what to do (two lines)" said_twice "add --force" "$VNET"
state "... the NIC stays on vfio-pci" "$VNET" vfio-pci vfio-pci
dmesg_mark
vb --unbind --force "$VNET"
is "--unbind --force with the group file held exits 0" 0 echo "$rc"
check "... saying the holder has only the group, so nothing waits" said "process $hpid (vfio-holder) holds $GN but not the device"
state "... back on virtio-pci" "$VNET" virtio-pci
# Kernel fact (6.1): only a device fd makes the unbind wait, not the group file.
check "... without waiting for the holder: it still holds the group file (${ms} ms)" alive "$hpid"
dmesg_new
kill "$hpid"
wait "$hpid"

# 4b. A device fd as well, as QEMU holds it: the kernel's unbind waits for it.
vb --no-save "$VNET"
modprobe vfio_iommu_type1 || true
start_holder /tmp/h2.log -d "$VNET" "$GN" 20
check "a holder has $GN and a device fd of $VNET open (pid $hpid)" alive "$hpid"
vb --unbind "$VNET"
is "--unbind while it is held is refused, exit 1" 1 echo "$rc"
check "... promptly (${ms} ms, under $PROMPT s)" test "$ms" -lt $((PROMPT * 1000))
check "... naming pid $hpid (vfio-holder)" said "process $hpid (vfio-holder)"
state "... the NIC stays on vfio-pci" "$VNET" vfio-pci vfio-pci
dmesg_mark
forced_unbind_waits "$VNET" "$GN" /tmp/h2.log
state "... back on virtio-pci, no override" "$VNET" virtio-pci
check "... the NIC has an interface again" iface_of "$VNET"
dmesg_new
wait "$hpid"
sed 's/^/#   /' /tmp/h2.log

# 4c. A holder that listens for the kernel's request, as QEMU does: it lets go at once.
vb --no-save "$VNET"
start_holder /tmp/h3.log -d "$VNET" -r "$GN" 60
dmesg_mark
vb --unbind --force "$VNET"
is "--unbind --force of a device whose holder honours the kernel's request exits 0" 0 echo "$rc"
check "... well before the holder's 60 s are up (${ms} ms)" test "$ms" -lt 30000
check "... the holder was asked (its request eventfd fired)" grep -q 'kernel asked' /tmp/h3.log
state "... back on virtio-pci" "$VNET" virtio-pci
dmesg_new
wait "$hpid"
sed 's/^/#   /' /tmp/h3.log

# 4d. The group in a container, so its DMA is claimed for userspace, but no device fd:
# the kernel's unbind does not wait, and no kernel driver may bind in a group that
# userspace owns (iommu_device_use_default_domain: EBUSY) until the holder lets go.
vb --no-save "$VNET"
start_holder /tmp/h4.log -c "$GN" 30
dmesg_mark
vb --unbind --force "$VNET"
is "--unbind --force with the group in a container, no device fd, exits 0" 0 echo "$rc"
# Kernel fact (6.1): the last device leaving VFIO takes the group out of its container,
# which gives its DMA back to the kernel, so the host driver can bind at once.
state "... back on virtio-pci at once, no override" "$VNET" virtio-pci
check "... while the holder still holds the group file (${ms} ms)" alive "$hpid"
dmesg_new
kill "$hpid"
wait "$hpid"
[ "$(driver_of "$VNET")" = virtio-pci ] || echo "$VNET" >"$PCI/drivers_probe"

# ---------------------------------------------------------------------------------
# 5. SR-IOV
# ---------------------------------------------------------------------------------
# QEMU's NVMe controller has SR-IOV (sriov_max_vfs). Its VFs are not usable until
# brought online with NVMe virtualization management commands, so nvme's probe fails on
# them; with autoprobe off, as one sets it up for passthrough, they get no driver at all.
state "the NVMe controller starts on nvme, no override" "$NVME" nvme
is "... with SR-IOV capacity for 2 VFs, none enabled" "2 0" \
	echo "$(cat "$PCI/devices/$NVME/sriov_totalvfs")" "$(cat "$PCI/devices/$NVME/sriov_numvfs")"
vb --no-save --dry-run "$NVME"
is "a PF without VFs is not refused (--dry-run exit 0)" 0 echo "$rc"
echo 0 >"$PCI/devices/$NVME/sriov_drivers_autoprobe"
echo 2 >"$PCI/devices/$NVME/sriov_numvfs"
VF0=$(basename "$(readlink "$PCI/devices/$NVME/virtfn0")")
VF1=$(basename "$(readlink "$PCI/devices/$NVME/virtfn1")")
check "(2 VFs enabled: $VF0 $VF1, groups $(group_of "$VF0") $(group_of "$VF1"))" test -n "$VF0" -a -n "$VF1"

vb --no-save "$NVME"
is "binding a PF with VFs enabled is refused, exit 1" 1 echo "$rc"
check "... saying why (an SR-IOV physical function with 2 VFs)" said "SR-IOV physical function with 2 VFs"
check "... and what to do (two lines)" said_twice "sriov_numvfs" "$NVME"
state "... the PF stays on nvme" "$NVME" nvme
is "... its VFs stay" 2 cat "$PCI/devices/$NVME/sriov_numvfs"

vb --list --json "$NVME" "$VF0"
check "--list --json: the PF shows its VFs" \
	matches "$(json_of "$NVME")" '"sriov":"PF,2VFs","physfn":null,"sriov_numvfs":2'
check "... the VF its PF" matches "$(json_of "$VF0")" "\"sriov\":\"VFof$NVME\",\"physfn\":\"$NVME\""

vb --no-save "$VF0"
is "binding a VF exits 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VF0" vfio-pci vfio-pci
check "... /dev/vfio/$(group_of "$VF0") exists" test -c "$(group_node "$VF0")"
state "... the PF stays on nvme" "$NVME" nvme
state "... the other VF is untouched" "$VF1" "(none)"

# Past the tool's own check, vfio-pci's probe refuses the PF (EBUSY): the tool's
# verify-and-roll-back path against a real probe failure.
dmesg_mark
vb --no-save --force "$NVME"
is "--force on the PF: vfio-pci itself refuses it, exit 1" 1 echo "$rc"
check "... the probe's error comes through (busy)" said "busy"
state "... the PF is back on nvme, no override" "$NVME" nvme
is "... its VFs are still there" 2 cat "$PCI/devices/$NVME/sriov_numvfs"
state "... and the VF is still on vfio-pci" "$VF0" vfio-pci vfio-pci
dmesg_new | grep -v ' nvme nvme[0-9]*: \(pci function\|[0-9]*/[0-9]*/[0-9]* default\)'
check "... the kernel says why (Cannot bind to PF with SR-IOV enabled)" \
	test "$(dmesg | tail -n +$((mark + 1)) | grep -c "vfio-pci $NVME: Cannot bind to PF with SR-IOV enabled")" -ge 1

vb --unbind "$VF0"
state "--unbind of the VF: it has no host driver to go back to (autoprobe off)" "$VF0" "(none)"
echo 0 >"$PCI/devices/$NVME/sriov_numvfs"
echo 1 >"$PCI/devices/$NVME/sriov_drivers_autoprobe"
check "(VFs disabled again)" test ! -e "$PCI/devices/$VF0"

# ---------------------------------------------------------------------------------
# 6. The boot VGA device
# ---------------------------------------------------------------------------------
# QEMU's standard VGA on the root bus; the VGA arbiter marks it the boot device. The
# kernel came up with vga=0x318 (see vm-safety.sh): its setup code set that VESA mode
# through the VGA's BIOS, sysfb made the platform device vesa-framebuffer.0 of it and
# vesafb (built into Debian's kernel, which has no simpledrm and no BOOTFB) took it:
# the framebuffer console is on the VGA's memory, "vesafb" holds BAR 0 in /proc/iomem.
# No PCI driver has the VGA, so the boot-VGA check (a driver on the device) says
# nothing; the firmware framebuffer check is the one that refuses.

# BAR 0 of the VGA, "START END" as its resource file has them.
bar0() { head -n 1 "$PCI/devices/$VGA/resource" | cut -d' ' -f1,2; }
# The firmware framebuffers' lines of /proc/iomem, "START-END : NAME".
fb_claims() { grep -E ' : (BOOTFB|simpledrm|simplefb|efifb|vesafb)$' /proc/iomem | sed 's/^ *//'; }
# holds_bar0 NAME: the first such line is NAME's and lies inside the VGA's BAR 0.
holds_bar0() {
	c=$(fb_claims | head -n 1)
	# shellcheck disable=SC2046 # bar0's two words
	set -- "$1" "${c%% *}" $(bar0)
	[ "${c##* : }" = "$1" ] && [ $(($3)) -ne 0 ] &&
		[ $((0x${2%-*})) -ge $(($3)) ] && [ $((0x${2#*-})) -le $(($4)) ]
}
platform_driver() {
	if [ -e "/sys/bus/platform/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/platform/devices/$1/driver")"
	else
		echo "(none)"
	fi
}
consoles() {
	diag "consoles: $(cat /sys/class/vtconsole/*/name | tr '\n' ';') framebuffers: $(tr '\n' ';' </proc/fb)"
}
FB=vesa-framebuffer.0
FB_UNBIND="echo $FB > /sys/bus/platform/drivers/vesa-framebuffer/unbind"

is "the VGA device is the boot VGA device (boot_vga)" 1 cat "$PCI/devices/$VGA/boot_vga"
state "... with no PCI driver" "$VGA" "(none)"
diag "its BAR 0: $(bar0); /proc/iomem, its lines and the firmware framebuffers':"
grep -E " : ($VGA|BOOTFB|simpledrm|simplefb|efifb|vesafb)\$" /proc/iomem | sed 's/^/#   /'
diag "$FB on $(platform_driver "$FB")"
consoles
check "/proc/iomem: vesafb holds memory inside the VGA's BAR 0" holds_bar0 vesafb
is "... through $FB, on vesafb's driver (vesa-framebuffer)" vesa-framebuffer platform_driver "$FB"

vb --no-save "$VGA"
is "binding the boot VGA device while vesafb holds its BAR 0 is refused, exit 1" 1 echo "$rc"
check "... saying so (the firmware framebuffer (vesafb, driver vesa-framebuffer) holds its BAR 0)" \
	said "firmware framebuffer (vesafb, driver vesa-framebuffer) holds its BAR 0"
check "... and how to let go of it ('$FB_UNBIND'; two lines)" said_twice "'$FB_UNBIND'" "$VGA"
state "... the VGA stays on no driver, no override" "$VGA" "(none)"
check "... vesafb still holds its BAR 0" holds_bar0 vesafb
hint=$(sed -n "s/.*unbind it first ('\\([^']*\\)').*/\\1/p" /tmp/vb.err)
vb --no-save --dry-run "$VGA"
is "--dry-run is refused the same way, exit 1" 1 echo "$rc"
check "... naming vesafb" said "firmware framebuffer (vesafb, driver vesa-framebuffer)"

vb --list --json "$VGA"
check "--list --json shows it (\"framebuffer\": \"vesafb (vesa-framebuffer) in BAR 0\")" \
	matches "$(json_of "$VGA")" '"framebuffer":"vesafb(vesa-framebuffer)inBAR0"'
vb --list "$VGA"
is "--list exits 0" 0 echo "$rc"
check "... and notes it on stderr" \
	grep -q "^vfio-bind: $VGA: note: the firmware framebuffer vesafb (vesa-framebuffer) in BAR 0 holds it" /tmp/vb.err

# What the refusal says to do, run as it was printed.
diag "\$ $hint"
[ -n "$hint" ] && sh -c "$hint"
verdict "the refusal's unbind command works"
is "... $FB has no driver now" "(none)" platform_driver "$FB"
is "... nothing holds the VGA's memory in /proc/iomem" "" fb_claims
consoles
vb --no-save --dry-run "$VGA"
is "... and the bind needs no --force (--dry-run exit 0)" 0 echo "$rc"
check "... it would move the VGA from no driver to vfio-pci" said "would move no driver -> vfio-pci"

# vesafb takes the device again (it keeps the mode from the boot), for --force.
echo "$FB" >/sys/bus/platform/drivers/vesa-framebuffer/bind
check "(vesafb bound to $FB again: it holds BAR 0 again)" holds_bar0 vesafb
dmesg_mark
vb --no-save --force "$VGA"
is "--force binds it all the same, exit 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VGA" vfio-pci vfio-pci
check "... /dev/vfio/$(group_of "$VGA") exists" test -c "$(group_node "$VGA")"
# Kernel fact (6.1): vfio-pci's probe of a VGA device removes the firmware framebuffers
# over its BARs: sysfb's platform device is unregistered (vesafb with it, for good) and
# the framebuffer console falls back to the dummy console.
check "... vfio-pci's probe took the firmware framebuffer away: $FB is gone" \
	test ! -e "/sys/bus/platform/devices/$FB"
is "... and nothing holds the VGA's memory in /proc/iomem" "" fb_claims
dmesg_new
consoles
vb --unbind "$VGA"
is "--unbind exits 0" 0 echo "$rc"
# It had no driver before; --unbind loads what its modalias names, as udev would.
state "... the VGA goes to bochs-drm, its host driver (bochs, loaded by --unbind)" "$VGA" bochs-drm

# Now a PCI driver drives the console on the boot VGA device.
consoles
vb --no-save "$VGA"
is "binding the boot VGA device while a driver drives it is refused, exit 1" 1 echo "$rc"
check "... naming the driver (bochs-drm)" said "boot VGA device and 'bochs-drm'"
check "... and saying what to do (two lines)" said_twice "add --force" "$VGA"
state "... it stays on bochs-drm" "$VGA" bochs-drm
dmesg_mark
vb --no-save --force "$VGA"
is "--force binds it, exit 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VGA" vfio-pci vfio-pci
dmesg_new
vb --unbind "$VGA"
state "... --unbind: back on bochs-drm" "$VGA" bochs-drm

# ---------------------------------------------------------------------------------
# 6b. A host driver built into the kernel
# ---------------------------------------------------------------------------------
# Debian builds 8250_pci in: its driver "serial" takes QEMU's pci-serial at device_add,
# before any userspace, so no initramfs can keep it off. vfio-bind must say so when it
# binds such a device and, once the device is on VFIO, in --list (from what it saved).
state "the PCI serial card is on serial (8250_pci, built in)" "$SERIAL" serial
check "... whose module has no initstate: built in" test ! -e /sys/module/8250_pci/initstate
vb "$SERIAL"
is "binding it exits 0" 0 echo "$rc"
state "... it is on vfio-pci" "$SERIAL" vfio-pci vfio-pci
check "... and the bind says serial is built into the kernel" said "serial is built into the kernel"
vb --list --json "$SERIAL"
check "... --list --json names the built-in host driver" \
	matches "$(json_of "$SERIAL")" '"host_driver_builtin":"serial"'
vb --list "$SERIAL"
check "... and --list says so in words" said "its host driver serial is built into the kernel"
vb --unbind "$SERIAL"
state "... --unbind: back on serial" "$SERIAL" serial

# ---------------------------------------------------------------------------------
# 7. The group transaction when the kernel refuses the second member's module
# ---------------------------------------------------------------------------------
# kernel.modules_disabled=1 makes the kernel refuse every module load (EPERM) from now
# on, so it comes last. vfio-pci (the first member's) is loaded; e1000e_vfio_pci (the
# second's) is not, and cannot be.
rmmod e1000e_vfio_pci 2>/dev/null
check "(vfio-pci is loaded, the variant is not)" test -e /sys/module/vfio_pci -a ! -e /sys/module/e1000e_vfio_pci
echo 1 >/proc/sys/kernel/modules_disabled
dmesg_mark
vb --no-save --group --json "$NIC1"
is "--group when the kernel refuses the second member's module exits 1" 1 echo "$rc"
state "... e1000 is back on e1000, no override" "$NIC1" e1000
state "... e1000e is still on e1000e, no override" "$NIC2" e1000e
check "... JSON: e1000 was not moved (nothing to roll back)" \
	matches "$(json_of "$NIC1")" '"status":"failed".*"rolled_back":false'
check "... JSON: e1000e failed loading e1000e_vfio_pci" \
	matches "$(json_of "$NIC2")" '"status":"failed".*"vfio_module":"e1000e_vfio_pci"'
check "... e1000 never left e1000 (no probe of it in dmesg)" \
	test "$(dmesg | tail -n +$((mark + 1)) | grep -c "e1000 $NIC1")" -eq 0
dmesg_new

# Everything the kernel said about VFIO in this boot.
diag "dmesg, vfio lines of the whole boot:"
dmesg | grep -i 'vfio' | sed 's/^/#   /'
finish
