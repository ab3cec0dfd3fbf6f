#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the VM guest (no IOMMU; devices in ./machine): vfio-bind on the platform bus
# against a real kernel, with vfio-platform and VFIO's no-IOMMU mode built from
# Debian's own sources (build-vfio.sh). Two ACPI platform devices:
#   QEMU0002:00  QEMU's fw_cfg, host driver fw_cfg (module qemu_fw_cfg). Its probe
#                works once per load of the module (see the kernel facts below), so
#                giving it back means loading qemu_fw_cfg afresh.
#   QEMU0001:00  QEMU's pvpanic, host driver pvpanic-mmio, which probes any number of
#                times: the device that proves rollback.
# In this order:
#   the kernel by hand: fw_cfg's probe-once, pvpanic-mmio's rebind
#   --list --bus platform, --json and text
#   no-IOMMU mode only in modprobe.d, vfio not loaded yet
#   reset_required=1 (the default), no reset handler: refused, device untouched
#   reset_required=0: fw_cfg to vfio-platform (/dev/vfio/noiommu-N) and back; pvpanic
#     too, and both at once
#   --force with reset_required=1: vfio-platform's probe fails; pvpanic is rolled
#     back, fw_cfg cannot be and vfio-bind must say so
# Every test asserts on the state the devices end in (driver link, driver_override,
# /dev/vfio, saved bindings, the kernel log), not on what the tool says it did.
# A "# TODO" result is a known bug of the tool: reported, not failing the run.

# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. /guest-lib.sh

FWCFG=QEMU0002:00
PANIC=QEMU0001:00
PLAT=/sys/bus/platform
# Made by qemu_fw_cfg's probe, removed by its remove: its inode number tells whether
# the device was unbound and probed again in between.
FWREV=/sys/firmware/qemu_fw_cfg/rev
SAVED=/etc/vfio-bind.d

drv() {
	if [ -e "$PLAT/devices/$1/driver" ]; then
		basename "$(readlink "$PLAT/devices/$1/driver")"
	else
		echo "(none)"
	fi
}
ovr() { cat "$PLAT/devices/$1/driver_override"; }
grp() { [ -e "$PLAT/devices/$1/iommu_group" ] && basename "$(readlink "$PLAT/devices/$1/iommu_group")"; }
state() { diag "  $1: driver=$(drv "$1") override=$(ovr "$1") group=$(grp "$1" || echo none)"; }
# saved DEV: the saved binding of DEV, if there is one.
saved() {
	for f in "$SAVED"/*; do
		case ${f##*/} in *"$1"*) echo "$f"; return 0 ;; esac
	done
	return 1
}
fwrev_inode() { stat -c %i "$FWREV" 2>/dev/null || echo none; }
# The kernel log since the last klog_reset is the evidence of what was probed.
klog_reset() { dmesg -c >/dev/null; }
klog_says() { dmesg | grep -q -- "$1"; }
# probe_failed DRIVER DEVICE ERRNO: the driver core logged that DRIVER's probe of DEVICE
# failed, in 6.1's words ("fw_cfg: probe of QEMU0002:00 failed with error -16") or those
# of 6.3 on ("fw_cfg QEMU0002:00: probe with driver fw_cfg failed with error -16").
probe_failed() {
	klog_says "$1: probe of $2 failed with error $3" ||
		klog_says " $2: probe with driver $1 failed with error $3"
}
klog_show() { dmesg | grep -iE 'vfio|fw_cfg|pvpanic|QEMU000' | sed 's/^/#     dmesg: /'; }
# by_hand FILE TEXT: writes TEXT as "echo" would, and says whether the write failed.
by_hand() {
	if echo "$2" >"$1" 2>/tmp/hand.err; then
		diag "  echo $2 > $1: ok"
		return 0
	fi
	diag "  echo $2 > $1: $(sed 's/.*: //' /tmp/hand.err)"
	return 1
}

# json_has DEV TEXT...: the --json object of DEV (one a line) holds every TEXT.
json_has() {
	obj=$(printf '%s\n' "$out" | grep -F "\"device\": \"$1\"") || return 1
	shift
	for text in "$@"; do
		printf '%s\n' "$obj" | grep -qF -- "$text" || return 1
	done
}
# text_row DEV ID DRIVER: the text --list has a row for DEV with that id and driver.
text_row() { printf '%s\n' "$out" | grep -qE "^$1 +$2 +$3( |\$)"; }

# at_host DEV DRIVER DESCRIPTION: on its host driver, no override, nothing saved.
at_host() {
	if [ "$(drv "$1")" = "$2" ] && [ "$(ovr "$1")" = "(null)" ] && ! saved "$1" >/dev/null; then
		ok "$3"
	else
		not_ok "$3"
		state "$1"
		saved "$1" >/dev/null && diag "  saved: $(saved "$1")"
	fi
}
# on_vfio DEV DESCRIPTION: on vfio-platform with that override, a no-IOMMU group and
# its /dev/vfio/noiommu-N, saved.
on_vfio() {
	g=$(grp "$1")
	if [ "$(drv "$1")" = vfio-platform ] && [ "$(ovr "$1")" = vfio-platform ] &&
		[ -n "$g" ] && [ -c "/dev/vfio/noiommu-$g" ] && saved "$1" >/dev/null; then
		ok "$2 (/dev/vfio/noiommu-$g)"
	else
		not_ok "$2"
		state "$1"
		diag "  /dev/vfio: $(find /dev/vfio 2>/dev/null | tr '\n' ' ') saved: $(saved "$1" || echo none)"
	fi
}
# unload_vfio_platform: so that the next load takes reset_required from modprobe.d
# (the parameter is read-only once loaded).
unload_vfio_platform() {
	[ -e /sys/module/vfio_platform ] || return 0
	rmmod vfio_platform || diag "rmmod vfio_platform failed"
	[ ! -e /sys/module/vfio_platform ]
}
reset_required() {
	mkdir -p /etc/modprobe.d
	echo "options vfio_platform reset_required=$1" >/etc/modprobe.d/vfio-platform.conf
}

VB=$(command -v vfio-bind) || { not_ok "vfio-bind is installed in the guest"; finish; exit; }
for dev in "$FWCFG" "$PANIC"; do
	[ -e "$PLAT/devices/$dev" ] || { not_ok "ACPI platform device $dev is present"; finish; exit; }
	# What udev's coldplug would do on a host: load the host driver by the modalias.
	modprobe "$(cat "$PLAT/devices/$dev/modalias")" || diag "modprobe for $dev failed"
done

# --- the kernel, by hand ----------------------------------------------------------------
is "$FWCFG has modalias acpi:QEMU0002:" "acpi:QEMU0002:" cat "$PLAT/devices/$FWCFG/modalias"
is "... is on its host driver fw_cfg, no override" "fw_cfg (null)" \
	sh -c "echo \$(basename \$(readlink $PLAT/devices/$FWCFG/driver)) \$(cat $PLAT/devices/$FWCFG/driver_override)"
is "... which module qemu_fw_cfg registers" qemu_fw_cfg \
	sh -c "basename \$(readlink $PLAT/drivers/fw_cfg/module)"
is "$PANIC is on pvpanic-mmio, no override" "pvpanic-mmio (null)" \
	sh -c "echo \$(basename \$(readlink $PLAT/devices/$PANIC/driver)) \$(cat $PLAT/devices/$PANIC/driver_override)"
is "no IOMMU groups: the IOMMU is off" "" ls /sys/kernel/iommu_groups
check "no VFIO module is loaded yet" test ! -e /sys/module/vfio -a ! -e /sys/module/vfio_platform
diag "modules.dep: $(grep -E '/vfio(-platform)?\.ko:' "/lib/modules/$(uname -r)/modules.dep" | tr '\n' ' ')"

klog_reset
by_hand "$PLAT/devices/$FWCFG/driver/unbind" "$FWCFG"
check "kernel: fw_cfg unbinds; its sysfs goes" test "$(drv "$FWCFG")" = "(none)" -a ! -e "$FWREV"
if by_hand "$PLAT/drivers/fw_cfg/bind" "$FWCFG"; then
	not_ok "kernel: fw_cfg cannot probe a second time while loaded (EBUSY)"
else
	check "kernel: fw_cfg cannot probe a second time while loaded (EBUSY)" \
		probe_failed fw_cfg "$FWCFG" -16
fi
rmmod qemu_fw_cfg
modprobe qemu_fw_cfg
check "kernel: loaded afresh, qemu_fw_cfg takes it again" test "$(drv "$FWCFG")" = fw_cfg -a -e "$FWREV"
by_hand "$PLAT/devices/$PANIC/driver/unbind" "$PANIC"
by_hand "$PLAT/drivers/pvpanic-mmio/bind" "$PANIC"
is "kernel: pvpanic-mmio unbinds and probes again" pvpanic-mmio drv "$PANIC"

# --- --list on the platform bus ---------------------------------------------------------
vb --list --bus platform --json
is "--list --bus platform --json exits 0" 0 echo "$rc"
check "... $FWCFG: id QEMU0002, driver fw_cfg, modalias" json_has "$FWCFG" \
	'"id": "QEMU0002"' '"driver": "fw_cfg"' '"modalias": "acpi:QEMU0002:"'
check "... $PANIC: id QEMU0001, driver pvpanic-mmio" json_has "$PANIC" \
	'"id": "QEMU0001"' '"driver": "pvpanic-mmio"'
for dev in "$FWCFG" "$PANIC"; do
	check "... $dev would get vfio-platform (module vfio_platform)" json_has "$dev" \
		'"vfio_driver": "vfio-platform"' '"vfio_module": "vfio_platform"'
done
vb --list --bus platform
check "--list --bus platform (text) shows $FWCFG, QEMU0002, fw_cfg" text_row "$FWCFG" QEMU0002 fw_cfg

# --- no-IOMMU mode set in modprobe.d only, vfio not loaded yet ----------------------------
# What an admin writes; libkmod applies it when vfio-bind loads vfio_platform, and vfio
# with it. vfio-bind reads the IOMMU state before loading anything.
mkdir -p /etc/modprobe.d
echo "options vfio enable_unsafe_noiommu_mode=1" >/etc/modprobe.d/vfio.conf
reset_required 0
vb --platform "$PANIC"
check "noiommu and reset_required=0 in modprobe.d, vfio not loaded: bind exits 0" test "$rc" = 0
if [ "$rc" = 0 ]; then
	vb --unbind --platform "$PANIC"
else
	at_host "$PANIC" pvpanic-mmio "... refused, it leaves $PANIC on pvpanic-mmio"
fi
# From here on vfio is loaded as modprobe.d says, as after any earlier use of it.
[ -e /sys/module/vfio ] || modprobe vfio
is "setup: vfio is loaded in no-IOMMU mode" Y cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode
check "setup: vfio_platform is not loaded" unload_vfio_platform
rm -f /etc/modprobe.d/vfio-platform.conf

# --- reset_required=1 (the default), no reset handler: refused, nothing touched -----------
ino=$(fwrev_inode)
klog_reset
vb --platform "$FWCFG"
is "reset_required=1, ACPI device: bind exits 1" 1 echo "$rc"
check "... says the _RST of an ACPI device cannot be seen" said '_RST'
check "... and how to do without: reset_required=0 in modprobe.d" said 'reset_required=0'
at_host "$FWCFG" fw_cfg "... $FWCFG stays on fw_cfg, no override, nothing saved"
is "... never unbound: fw_cfg's sysfs is the same ($FWREV inode)" "$ino" fwrev_inode
if dmesg | grep -E "vfio-platform|$FWCFG" >/tmp/klog; [ -s /tmp/klog ]; then
	not_ok "... and the kernel log shows no probe"
	sed 's/^/#     dmesg: /' /tmp/klog
else
	ok "... and the kernel log shows no probe"
fi
vb --dry-run --platform "$FWCFG"
is "--dry-run says the same: exit 1" 1 echo "$rc"
at_host "$FWCFG" fw_cfg "... and leaves $FWCFG as it was"

# --- reset_required=0: fw_cfg to vfio-platform and back -----------------------------------
check "setup: vfio_platform unloads, for reset_required=0 to apply" unload_vfio_platform
reset_required 0
klog_reset
vb --platform "$FWCFG"
is "reset_required=0: bind $FWCFG exits 0" 0 echo "$rc"
on_vfio "$FWCFG" "... on vfio-platform, override, no-IOMMU group, saved"
is "... vfio_platform was loaded with reset_required=0" N cat /sys/module/vfio_platform/parameters/reset_required
check "... fw_cfg's sysfs went with its driver" test ! -e "$FWREV"
check "... the kernel taints itself for the no-IOMMU group" klog_says 'noiommu'
diag "saved: $(saved "$FWCFG"): $(tr '\n' ' ' <"$(saved "$FWCFG")")"
klog_show

vb --list --bus platform --json
check "--list --json shows $FWCFG on vfio-platform with the override" json_has "$FWCFG" \
	'"driver": "vfio-platform"' '"driver_override": "vfio-platform"'
vb --platform "$FWCFG"
is "binding again exits 0 (already there)" 0 echo "$rc"
on_vfio "$FWCFG" "... and it stays"

# fw_cfg probes once per load (above): unloaded now, vfio-bind loads it by the modalias.
rmmod qemu_fw_cfg
klog_reset
vb --unbind --platform "$FWCFG"
is "--unbind --platform $FWCFG exits 0" 0 echo "$rc"
at_host "$FWCFG" fw_cfg "... back on fw_cfg, override cleared, saved binding gone"
check "... qemu_fw_cfg was loaded by vfio-bind and probed it ($FWREV)" test -e "$FWREV"
check "... /dev/vfio/noiommu-* is gone" sh -c '! ls /dev/vfio/noiommu-* >/dev/null 2>&1'
klog_show

# Now with qemu_fw_cfg loaded, which cannot take the device back (EBUSY): the device
# ends on no driver, and exit 0 would claim it was handed back.
vb --no-save --platform "$FWCFG"
is "bind $FWCFG again (--no-save) exits 0" 0 echo "$rc"
klog_reset
vb --unbind --platform "$FWCFG"
check "--unbind when fw_cfg cannot probe: the device is on no driver (kernel)" \
	test "$(drv "$FWCFG")" = "(none)"
is "... override cleared" "(null)" ovr "$FWCFG"
check "... and vfio-bind exits 1: the host driver did not take it" test "$rc" = 1
klog_show
rmmod qemu_fw_cfg
modprobe qemu_fw_cfg
check "setup: qemu_fw_cfg loaded afresh takes $FWCFG back" test "$(drv "$FWCFG")" = fw_cfg

# --- pvpanic: to vfio-platform and back, no module games ----------------------------------
vb --platform "$PANIC"
is "bind $PANIC exits 0" 0 echo "$rc"
on_vfio "$PANIC" "... on vfio-platform, override, no-IOMMU group, saved"
# Both on vfio-platform: each no-IOMMU device is a group of its own, and the fake
# groups show in /sys/kernel/iommu_groups as if an IOMMU were on.
diag "groups: $(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | tr '\n' ' ')"
vb --platform "$FWCFG"
check "bind $FWCFG too, while $PANIC is on vfio-platform: exit 0" test "$rc" = 0
if [ "$rc" != 0 ]; then
	at_host "$FWCFG" fw_cfg "... refused, $FWCFG stays on fw_cfg"
	# The kernel has no objection: past the check, the device gets a group of its own.
	vb --force --platform "$FWCFG"
fi
on_vfio "$FWCFG" "kernel: $FWCFG on vfio-platform too, in a no-IOMMU group of its own"
diag "groups: $(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | tr '\n' ' ')"
rmmod qemu_fw_cfg
vb --unbind --platform "$FWCFG"
at_host "$FWCFG" fw_cfg "... and back to fw_cfg (loaded afresh by vfio-bind)"

vb --unbind --platform "$PANIC"
is "--unbind --platform $PANIC exits 0" 0 echo "$rc"
at_host "$PANIC" pvpanic-mmio "... back on pvpanic-mmio, override cleared, saved binding gone"

# --- --force with reset_required=1: the kernel's probe fails, rolled back ------------------
check "setup: vfio_platform unloads, for reset_required=1 to apply" unload_vfio_platform
rm -f /etc/modprobe.d/vfio-platform.conf
klog_reset
vb --force --platform "$PANIC"
is "--force, reset_required=1: bind $PANIC exits 1" 1 echo "$rc"
is "... vfio_platform was loaded with reset_required=1" Y cat /sys/module/vfio_platform/parameters/reset_required
check "... vfio-platform's probe failed: no reset function" klog_says "No reset function found for device $PANIC"
at_host "$PANIC" pvpanic-mmio "... rolled back: on pvpanic-mmio, no override, nothing saved"
klog_show

# The same for fw_cfg, whose driver cannot take it back: vfio-bind must say so.
klog_reset
vb --force --platform "$FWCFG"
is "--force, reset_required=1: bind $FWCFG exits 1" 1 echo "$rc"
check "... vfio-platform's probe failed: no reset function" klog_says "No reset function found for device $FWCFG"
check "... fw_cfg could not take it back (kernel: EBUSY)" probe_failed fw_cfg "$FWCFG" -16
is "... the device is on no driver, override cleared" "(none) (null)" echo "$(drv "$FWCFG") $(ovr "$FWCFG")"
check "... and vfio-bind says it could not put it back" said 'COULD NOT PUT IT BACK'
check "... nothing saved" sh -c "! ls $SAVED/*$FWCFG* >/dev/null 2>&1"
klog_show
rmmod qemu_fw_cfg
modprobe qemu_fw_cfg
check "setup: qemu_fw_cfg loaded afresh takes $FWCFG back" test "$(drv "$FWCFG")" = fw_cfg

finish
