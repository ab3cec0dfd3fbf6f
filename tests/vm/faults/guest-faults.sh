#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the faults guest (see ./machine for its devices): vfio-bind when
# something goes wrong around it. Every test asserts on the state things end in
# (driver links, driver_override, the saved files in the config directory, no
# ".vfio-bind-*" temp file, no journal left in /run/vfio-bind/txn, exit codes) and on
# the message the user reads. Parts (FAULTS.md has the table of faults):
#   1  btrfs on one disk, then over two: a disk that is a btrfs device is in use,
#      also when only /sys/fs/btrfs names it
#   2  a holder of the device fd across a VFIO-to-VFIO move (vfio-pci to the variant),
#      by bind and by --restore; --restore --force waits without the lock
#   3  runs killed (SIGKILL through strace) at each of their writes, at the save's
#      rename and at the forget's unlink: --list and --restore find and settle them
#   4  the lock: held by another program, held by a slow vfio-bind
#   5  a read-only config directory
#   6  a full config directory (blocks, inodes), also under --group
# Programs besides busybox, under /faults/bin: strace, mkfs.btrfs, flock, vfio-holder.

# shellcheck source=../guest-lib.sh
. /guest-lib.sh

PATH=/faults/bin:$PATH
HOLDER=/faults/bin/vfio-holder
CONF=/etc/vfio-bind.d
RUN=/run/vfio-bind
# No vfio-bind call here may take longer; a hung sysfs write must show as a failure.
LIMIT=60
# A refusal or a run that must not wait comes within this many seconds.
PROMPT=10
# The cap on the writes a killed run may be cut at (part 3).
MAXWRITES=40

for mod in e1000 virtio_blk crc32c_generic btrfs; do
	modprobe "$mod" || diag "modprobe $mod failed"
done
mkdir -p "$CONF" /mnt/a

# pci_of_block NAME: the PCI address above block device NAME.
pci_of_block() { readlink -f "/sys/class/block/$1" | sed 's|/virtio[0-9]*/block/.*||; s|.*/||'; }
BRIDGE=$(find_pci 1b36:000e) || { not_ok "a pcie-pci-bridge (1b36:000e) is present"; finish; exit; }
E1=
E2=
for dev in "$PCI"/devices/*; do
	[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = 0x8086:0x10d3 ] || continue
	case $(readlink -f "$dev") in
	*/"$BRIDGE"/*) E2=${dev##*/} ;;
	*) E1=${dev##*/} ;;
	esac
done
[ -n "$E1" ] && [ -n "$E2" ] || { not_ok "two e1000e NICs (8086:10d3), one behind the bridge"; finish; exit; }
E1000=$(find_pci 8086:100e) || { not_ok "an e1000 NIC (8086:100e) is present"; finish; exit; }
VNET=$(find_pci 1af4:1041 1af4:1000) || { not_ok "a virtio-net NIC is present"; finish; exit; }
BA=vda BB=vdb
DISKA=$(pci_of_block $BA)
DISKB=$(pci_of_block $BB)
[ -n "$DISKA" ] && [ -n "$DISKB" ] && [ "$DISKA" != "$DISKB" ] ||
	{ not_ok "two virtio-blk disks (vda, vdb) on two PCI devices"; finish; exit; }
VB=$(command -v vfio-bind) || { not_ok "vfio-bind is installed in the guest"; finish; exit; }
for tool in strace mkfs.btrfs flock; do
	command -v $tool >/dev/null || { not_ok "$tool is in the guest"; finish; exit; }
done
diag "disk A $DISKA ($BA), disk B $DISKB ($BB), e1000e $E1, virtio-net $VNET,"
diag "bridge $BRIDGE with e1000 $E1000 and e1000e $E2; config dir $CONF"

prompt() { check "... promptly (${ms} ms, under $PROMPT s)" test "$ms" -lt $((PROMPT * 1000)); }

# The saved state: the file of DEVICE (either form of its name), temp files, journals.
saved_file() {
	for f in "$CONF/pci-$1.conf" "$CONF/pci-$1="*.conf; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
is_saved() { saved_file "$1" >/dev/null; }
no_temp() {
	for f in "$CONF"/.vfio-bind-*; do [ -e "$f" ] && return 1; done
	return 0
}
txn_empty() { [ -z "$(ls -A "$RUN/txn" 2>/dev/null)" ]; }
show_conf() { diag "  $CONF: $(ls -A "$CONF" | tr '\n' ' ') txn: $(ls -A "$RUN/txn" 2>/dev/null | tr '\n' ' ')"; }

# hand_back DEVICE: its host driver back by hand, as an administrator would through
# sysfs: override cleared (a lone newline), unbound, probed.
hand_back() {
	d=$PCI/devices/$1
	echo >"$d/driver_override"
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo "$1" >"$PCI/drivers_probe"
}

# wait_for_text FILE TEXT TENTHS: TEXT shows up in FILE within TENTHS tenths of a second.
wait_for_text() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		usleep 100000
		i=$((i + 1))
	done
	return 1
}
# bg_done PID START OUT ERR WHAT: waits for a background vfio-bind started at START
# (now_cs), shows it; rc, ms as vb's.
bg_done() {
	wait "$1"
	rc=$?
	ms=$(($(now_cs) - $2))0
	diag "\$ $5 -> exit $rc (${ms} ms since it started)"
	sed 's/^/#     /' "$3" "$4"
}

# ---------------------------------------------------------------------------------
# 1. btrfs
# ---------------------------------------------------------------------------------
# btrfs gives its mounts an anonymous st_dev (0:N), not the disk's: mountinfo names
# only the device it was mounted from, and the other devices of a multi-device btrfs
# only in /sys/fs/btrfs/UUID/devices.

# disk_back DEVICE BLOCK: after a bind that should have been refused, the disk handed
# back (unmounted, --unbind, which forgets it too) so that the parts after this go on.
disk_back() {
	[ "$(driver_of "$1")" = virtio-pci ] && return 0
	diag "  $1 was taken: unmounting, handing it back"
	umount /mnt/a 2>/dev/null
	vb --unbind "$1"
	i=0
	while [ ! -b "/dev/$2" ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
}

mkfs.btrfs -f -q "/dev/$BA" >/tmp/mkfs.log 2>&1 || sed 's/^/#   /' /tmp/mkfs.log
mount -t btrfs "/dev/$BA" /mnt/a && echo faults-data >/mnt/a/file
check "(btrfs on $BA alone, mounted on /mnt/a)" grep -q "^/dev/$BA /mnt/a btrfs " /proc/mounts
vb "$DISKA"
is "binding disk A while its btrfs is mounted is refused, exit 1" 1 echo "$rc"
check "... naming it: in use: /dev/$BA" said "in use: /dev/$BA"
state "... disk A stays on virtio-pci, no override" "$DISKA" virtio-pci
check "... nothing saved for it" test ! -e "$(saved_file "$DISKA" || echo /nonexistent)"
disk_back "$DISKA" "$BA"
umount /mnt/a 2>/dev/null

mkfs.btrfs -f -q -d single -m single "/dev/$BA" "/dev/$BB" >/tmp/mkfs.log 2>&1 || sed 's/^/#   /' /tmp/mkfs.log
mount -t btrfs -o "device=/dev/$BB" "/dev/$BA" /mnt/a && echo faults-data >/mnt/a/file
check "(one btrfs over $BA and $BB, mounted from $BA on /mnt/a)" grep -q "^/dev/$BA /mnt/a btrfs " /proc/mounts
diag "  /sys/fs/btrfs/*/devices: $(ls /sys/fs/btrfs/*/devices 2>/dev/null | tr '\n' ' ')"
in_sysfs=
for d in /sys/fs/btrfs/*/devices/"$BB"; do [ -e "$d" ] && in_sysfs=$d; done
[ -n "$in_sysfs" ] && ! grep -q "/dev/$BB " /proc/self/mountinfo
verdict "($BB is in /sys/fs/btrfs/UUID/devices, not in mountinfo)"
vb "$DISKB"
is "binding disk B, the btrfs's second device, is refused, exit 1" 1 echo "$rc"
check "... naming it: in use: /dev/$BB" said "in use: /dev/$BB"
state "... disk B stays on virtio-pci, no override" "$DISKB" virtio-pci
check "... nothing saved for it" test ! -e "$(saved_file "$DISKB" || echo /nonexistent)"
check "... the btrfs is still mounted and readable" test "$(cat /mnt/a/file 2>/dev/null)" = faults-data
disk_back "$DISKB" "$BB"
umount /mnt/a 2>/dev/null
vb --no-save "$DISKB"
is "unmounted, disk B binds (--no-save), exit 0" 0 echo "$rc"
state "... it is on vfio-pci" "$DISKB" vfio-pci vfio-pci
vb --unbind "$DISKB"
is "--unbind gives it back, exit 0" 0 echo "$rc"
state "... on virtio-pci, no override" "$DISKB" virtio-pci
check "(nothing saved after part 1)" test -z "$(ls "$CONF")"

# ---------------------------------------------------------------------------------
# 2. A holder across VFIO-to-VFIO moves
# ---------------------------------------------------------------------------------
modprobe vfio_iommu_type1 || diag "modprobe vfio_iommu_type1 failed"
vb --no-save -d vfio-pci "$E1"
state "(e1000e on vfio-pci by -d vfio-pci)" "$E1" vfio-pci vfio-pci
GN=$(group_node "$E1")
start_holder /tmp/h1.log -d "$E1" "$GN" 40
check "a holder has a device fd of $E1 open (pid $hpid)" alive "$hpid"
vb "$E1"
is "moving it to its variant while held is refused, exit 1" 1 echo "$rc"
prompt
check "... naming the holder: held open by process $hpid (vfio-holder)" said "held open by process $hpid (vfio-holder)"
state "... it stays on vfio-pci" "$E1" vfio-pci vfio-pci
check "... the holder is still alive" alive "$hpid"
check "... nothing saved" test ! -e "$(saved_file "$E1" || echo /nonexistent)"
kill "$hpid"
wait "$hpid"

vb --unbind "$E1"
state "(let go: --unbind puts it on e1000e)" "$E1" e1000e
vb "$E1"
state "(bound and saved: on its variant)" "$E1" e1000e-vfio-pci e1000e-vfio-pci
check "(its binding is saved: $(saved_file "$E1"))" is_saved "$E1"
vb --no-save -d vfio-pci "$E1"
state "(moved to vfio-pci for now; the saved file says the variant)" "$E1" vfio-pci vfio-pci
vb "$VNET"
check "(virtio-net bound and saved)" is_saved "$VNET"
hand_back "$VNET"
state "(virtio-net handed back to virtio-pci by hand, still saved)" "$VNET" virtio-pci

start_holder /tmp/h2.log -d "$E1" "$GN" 60
vb --restore "$E1"
is "--restore of it while held is refused, exit 1" 1 echo "$rc"
prompt
check "... naming the holder: held open by process $hpid (vfio-holder)" said "held open by process $hpid (vfio-holder)"
state "... it stays on vfio-pci" "$E1" vfio-pci vfio-pci

rft0=$(now_cs)
timeout "$LIMIT" "$VB" --restore --force "$E1" >/tmp/rf.out 2>/tmp/rf.err &
rfpid=$!
check "--restore --force says whom it waits for" \
	wait_for_text /tmp/rf.err "waiting for process $hpid (vfio-holder) to let go" 50
vb --restore "$VNET"
is "meanwhile --restore of another saved device exits 0" 0 echo "$rc"
prompt
state "... it is on vfio-pci" "$VNET" vfio-pci vfio-pci
check "... while the forced run still waits (the lock is not held across the wait)" alive "$rfpid"
kill "$hpid"
wait "$hpid"
bg_done "$rfpid" "$rft0" /tmp/rf.out /tmp/rf.err "vfio-bind --restore --force $E1"
is "once the holder let go the forced --restore exits 0" 0 echo "$rc"
state "... it is on its saved variant" "$E1" e1000e-vfio-pci e1000e-vfio-pci

vb --unbind "$E1" "$VNET"
state "(e1000e back on e1000e)" "$E1" e1000e
state "(virtio-net back on virtio-pci)" "$VNET" virtio-pci
check "(nothing saved any more)" test -z "$(ls "$CONF")"

# ---------------------------------------------------------------------------------
# 3. Runs killed at each write
# ---------------------------------------------------------------------------------
faults=0
survived=0

# consistent: the device's driver and the saved set agree.
consistent() {
	case $(driver_of "$E1") in
	*vfio*) is_saved "$E1" ;;
	e1000e) ! is_saved "$E1" ;;
	*) false ;;
	esac
}

# start_bind / start_unbind: the state a bind starts from (e1000e, nothing saved), and
# an unbind (the variant, saved). Whatever a killed run and the checks left is cleared.
clear_leftovers() {
	if ! no_temp || ! txn_empty; then
		diag "  clearing what was left: $(ls -A "$CONF" "$RUN/txn" 2>/dev/null | tr '\n' ' ')"
	fi
	rm -f "$CONF"/.vfio-bind-* "$RUN"/txn/*
	rm -f "$CONF/pci-$E1.conf" "$CONF/pci-$E1="*.conf
	on "$E1" e1000e "(null)" || hand_back "$E1"
}
start_bind() { clear_leftovers; }
start_unbind() {
	clear_leftovers
	timeout "$LIMIT" "$VB" -q "$E1" >/dev/null 2>&1
	on "$E1" e1000e-vfio-pci e1000e-vfio-pci && is_saved "$E1" ||
		{ diag "  cannot set up the unbind's start"; show_state "$E1"; }
}

# after_kill LABEL: what must hold after a killed run, checked and then settled.
after_kill() {
	label=$1
	show_state "$E1"
	show_conf
	case $(override_of "$E1") in
	*vfio*)
		if [ "$(driver_of "$E1")" = "(none)" ]; then
			vb --list "$E1"
			said "no driver" && said "interrupted"
			verdict "$label: --list flags it: no driver, interrupted"
			vb --list --json "$E1"
			matches "$(flat)" '"stranded":true'
			verdict "$label: --list --json: \"stranded\": true"
		fi
		;;
	esac
	journal=$(ls -A "$RUN/txn" 2>/dev/null)
	vb --restore
	if [ -n "$journal" ]; then
		check "$label: --restore says a run on $E1 was interrupted" grep -q "$E1.*was interrupted" /tmp/vb.err
	fi
	d=$(driver_of "$E1")
	check "$label: it is on a driver ($d)" test "$d" != "(none)"
	check "$label: no .vfio-bind-* temp file in $CONF" no_temp
	check "$label: $RUN/txn is empty" txn_empty
	check "$label: driver and saved set agree (on $d, saved: $(saved_file "$E1" || echo no))" consistent
}

# kill_series WHAT START END_DRIVER ARGS...: runs "vfio-bind ARGS" from START's state,
# killed at its 1st, 2nd, ... write until one completes; that one must end on END_DRIVER.
kill_series() {
	what=$1 start=$2 end=$3
	shift 3
	n=1
	while [ $n -le $MAXWRITES ]; do
		"$start"
		timeout "$LIMIT" strace -f -o /dev/null -e trace=write \
			-e inject=write:signal=KILL:when=$n "$VB" "$@" >/tmp/k.out 2>/tmp/k.err
		krc=$?
		if [ $krc -ne 137 ]; then
			diag "$what: write $n never came: the run completed, exit $krc"
			sed 's/^/#     /' /tmp/k.out /tmp/k.err
			is "$what: the run that was not killed exits 0 (after $((n - 1)) writes)" 0 echo "$krc"
			if [ "$end" = e1000e ]; then
				state "... it is on e1000e" "$E1" e1000e
				check "... nothing saved for it" test ! -e "$(saved_file "$E1" || echo /nonexistent)"
			else
				state "... it is on its variant" "$E1" "$end" "$end"
				check "... its binding is saved" is_saved "$E1"
			fi
			return
		fi
		faults=$((faults + 1))
		diag "$what: killed at write $n; it said:"
		sed 's/^/#     /' /tmp/k.out /tmp/k.err
		after_kill "$what killed at write $n"
		[ "$tap_failed" -eq "$series_failed" ] && survived=$((survived + 1))
		series_failed=$tap_failed
		n=$((n + 1))
	done
	not_ok "$what: a run completed within $MAXWRITES writes"
}

# one_kill WHAT START SYSCALLS ARGS...: one run killed at the first of SYSCALLS.
one_kill() {
	what=$1 start=$2 calls=$3
	shift 3
	"$start"
	timeout "$LIMIT" strace -f -o /dev/null -e trace="$calls" \
		-e inject="$calls":signal=KILL:when=1 "$VB" "$@" >/tmp/k.out 2>/tmp/k.err
	krc=$?
	diag "$what: exit $krc; it said:"
	sed 's/^/#     /' /tmp/k.out /tmp/k.err
	is "$what: the run was killed there (exit 137)" 137 echo "$krc"
	[ $krc -eq 137 ] && faults=$((faults + 1))
	series_failed=$tap_failed
	after_kill "$what"
	[ "$tap_failed" -eq "$series_failed" ] && [ $krc -eq 137 ] && survived=$((survived + 1))
	series_failed=$tap_failed
}

t3=$(now_cs)
series_failed=$tap_failed
kill_series "bind" start_bind e1000e-vfio-pci "$E1"
series_failed=$tap_failed
kill_series "unbind" start_unbind e1000e --unbind "$E1"
one_kill "bind killed at the save's rename" start_bind rename,renameat,renameat2 "$E1"
one_kill "unbind killed at the forget's unlink" start_unbind unlink,unlinkat --unbind "$E1"
diag "part 3: $faults faults injected, $survived survived with every check passing ($((($(now_cs) - t3) / 100)) s)"
start_bind
state "(e1000e on e1000e, nothing saved)" "$E1" e1000e

# ---------------------------------------------------------------------------------
# 4. The lock
# ---------------------------------------------------------------------------------
# Saved bindings of both NICs, both handed back by hand.
vb -q "$E1" "$VNET"
hand_back "$E1"
hand_back "$VNET"
is_saved "$E1" && is_saved "$VNET" && on "$E1" e1000e "(null)" && on "$VNET" virtio-pci "(null)"
verdict "(e1000e and virtio-net saved, on their host drivers)"

# 4a. Another program holds it (util-linux flock; -o: only flock itself holds the fd).
mkdir -p "$RUN"
flock -o "$RUN/lock" sleep 30 &
fpid=$!
usleep 500000
lt0=$(now_cs)
VFIO_BIND_LOCK_TIMEOUT=3 timeout "$LIMIT" "$VB" --restore "$E1" >/tmp/l.out 2>/tmp/l.err &
lpid=$!
check "with the lock held, --restore says it is waiting for the lock (within 2 s)" \
	wait_for_text /tmp/l.err "waiting for the lock" 20
bg_done "$lpid" "$lt0" /tmp/l.out /tmp/l.err "VFIO_BIND_LOCK_TIMEOUT=3 vfio-bind --restore $E1"
is "... with VFIO_BIND_LOCK_TIMEOUT=3 it exits 1" 1 echo "$rc"
check "... after about 3 s (${ms} ms, between 2 and 10 s)" test "$ms" -ge 2000 -a "$ms" -le 10000
check "... saying it gave up" grep -q "gave up" /tmp/l.err
state "... e1000e is unchanged" "$E1" e1000e
kill "$fpid"
wait "$fpid" 2>/dev/null

# 4a'. Another program holds e1000e's own lock: a run on e1000e waits for it, names no PID.
mkdir -p "$RUN/dev"
flock -o "$RUN/dev/pci-$E1" sleep 30 &
fpid=$!
usleep 500000
lt0=$(now_cs)
VFIO_BIND_LOCK_TIMEOUT=3 timeout "$LIMIT" "$VB" --restore "$E1" >/tmp/l.out 2>/tmp/l.err &
lpid=$!
check "with e1000e's lock held, --restore of it says it waits for the run moving it (within 2 s)" \
	wait_for_text /tmp/l.err "which is moving it" 20
bg_done "$lpid" "$lt0" /tmp/l.out /tmp/l.err "VFIO_BIND_LOCK_TIMEOUT=3 vfio-bind --restore $E1"
is "... with VFIO_BIND_LOCK_TIMEOUT=3 it exits 1" 1 echo "$rc"
check "... saying it gave up on $E1" grep -q "gave up.*$E1" /tmp/l.err
state "... e1000e is unchanged" "$E1" e1000e
vb --restore "$VNET"
is "meanwhile --restore of virtio-net exits 0" 0 echo "$rc"
check "... without waiting (${ms} ms)" sh -c "! grep -q 'waiting' /tmp/vb.err && [ $ms -lt 3000 ]"
state "... virtio-net on vfio-pci" "$VNET" vfio-pci vfio-pci
hand_back "$VNET"
kill "$fpid"
wait "$fpid" 2>/dev/null

# 4b. A slow vfio-bind moves e1000e: each of its writes delayed 3 s.
st0=$(now_cs)
timeout "$LIMIT" strace -f -o /dev/null -e trace=write -e inject=write:delay_enter=3000000 \
	"$VB" --no-save "$E1" >/tmp/s.out 2>/tmp/s.err &
spid=$!
# e1000e is taken when its lock file names a live vfio-bind.
i=0
holder=
while [ $i -lt 50 ]; do
	p=$(cut -d' ' -f1 "$RUN/dev/pci-$E1" 2>/dev/null)
	if [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = vfio-bind ]; then holder=$p; break; fi
	usleep 100000
	i=$((i + 1))
done
check "(a slow vfio-bind --no-save $E1 holds e1000e's lock: pid ${holder:-none})" test -n "$holder"
export VFIO_BIND_LOCK_TIMEOUT=30
vb --list
is "meanwhile --list exits 0" 0 echo "$rc"
check "... without waiting for the lock (${ms} ms)" sh -c "! grep -q 'waiting' /tmp/vb.err && [ $ms -lt 3000 ]"
vb --restore "$VNET"
is "... --restore of virtio-net exits 0" 0 echo "$rc"
check "... at once, not after the slow run (${ms} ms, no wait said)" \
	sh -c "! grep -q 'waiting' /tmp/vb.err && [ $ms -lt 3000 ] && kill -0 $spid"
state "... virtio-net on vfio-pci (restored)" "$VNET" vfio-pci vfio-pci
rt0=$(now_cs)
timeout "$LIMIT" "$VB" --restore "$E1" >/tmp/r.out 2>/tmp/r.err &
rpid=$!
unset VFIO_BIND_LOCK_TIMEOUT
wait_for_text /tmp/r.err "which is moving it" 50
# "(COMMAND LINE)": argv[0] as it was run, a path or not.
n=$(sed -n 's/.*waiting for PID \([0-9]*\) (\([^ )]*\/\)\{0,1\}vfio-bind[ )].*/\1/p' /tmp/r.err | head -n 1)
check "--restore of e1000e says it waits for PID ${n:-?} (vfio-bind ...), the slow run, which is moving it" \
	test -n "$n" -a "$n" = "$holder"
bg_done "$spid" "$st0" /tmp/s.out /tmp/s.err "strace ... vfio-bind --no-save $E1"
is "... the slow run exits 0" 0 echo "$rc"
bg_done "$rpid" "$rt0" /tmp/r.out /tmp/r.err "vfio-bind --restore $E1"
is "... then --restore of e1000e exits 0" 0 echo "$rc"
state "... e1000e on its variant (the slow run, then the saved binding)" "$E1" e1000e-vfio-pci e1000e-vfio-pci
vb --unbind "$E1" "$VNET"
check "(both handed back and forgotten)" test -z "$(ls "$CONF")"

# ---------------------------------------------------------------------------------
# 5. A read-only config directory
# ---------------------------------------------------------------------------------
vb -q "$E1"
hand_back "$E1"
E1FILE=$(saved_file "$E1")
mount -o bind "$CONF" "$CONF" && mount -o remount,bind,ro "$CONF"
! touch "$CONF/.probe" 2>/dev/null && test -e "$E1FILE" && on "$E1" e1000e "(null)"
verdict "($CONF is read-only with e1000e's binding in it; e1000e on e1000e by hand)"
vb --restore
is "--restore exits 0" 0 echo "$rc"
state "... e1000e is on its saved variant" "$E1" e1000e-vfio-pci e1000e-vfio-pci
vb --no-save "$VNET"
is "--no-save of virtio-net exits 0" 0 echo "$rc"
state "... it is on vfio-pci" "$VNET" vfio-pci vfio-pci
vb --unbind "$VNET"
is "--unbind of it (nothing saved to forget) exits 0" 0 echo "$rc"
state "... it is on virtio-pci" "$VNET" virtio-pci
vb "$VNET"
is "a bind that would save exits 1" 1 echo "$rc"
check "... saying the directory is read-only" grep -qi "read-only" /tmp/vb.err
state "... virtio-net stays on virtio-pci" "$VNET" virtio-pci
vb --unbind "$E1"
is "--unbind of the saved e1000e (the forget cannot happen) exits 1" 1 echo "$rc"
check "... saying the directory is read-only" grep -qi "read-only" /tmp/vb.err
state "... it stays on its variant" "$E1" e1000e-vfio-pci e1000e-vfio-pci
check "... its file is still there" test -e "$E1FILE"
umount "$CONF"
vb --unbind "$E1"
check "(read-write again: e1000e handed back and forgotten)" test -z "$(ls "$CONF")"

# ---------------------------------------------------------------------------------
# 6. A full config directory
# ---------------------------------------------------------------------------------
vb "$E1000"
state "(the bridge's e1000 bound alone and saved, the group not viable)" "$E1000" vfio-pci vfio-pci
E1000FILE=$(saved_file "$E1000")
cp "$E1000FILE" /tmp/e1000.saved
# fill_blocks: a small tmpfs over the directory with the saved file, every block taken.
fill_blocks() {
	mount -t tmpfs -o size=64k,mode=755 tmpfs "$CONF"
	cp /tmp/e1000.saved "$E1000FILE"
	dd if=/dev/zero of="$CONF/.fill" bs=4k 2>/dev/null
	diag "  $CONF full: $(df -k "$CONF" | tail -n 1)"
}
fill_blocks
vb "$E1"
is "binding e1000e with no space left exits 1" 1 echo "$rc"
check "... saying No space left" said "No space left"
state "... it is back on e1000e, no override" "$E1" e1000e
check "... no .vfio-bind-* temp file left" no_temp
check "... nothing saved for it" test ! -e "$(saved_file "$E1" || echo /nonexistent)"

vb --group "$E1000"
is "--group of the bridge's group with no space left exits 1" 1 echo "$rc"
state "... the e1000 stays on vfio-pci, where it was" "$E1000" vfio-pci vfio-pci
state "... the second e1000e is back on e1000e" "$E2" e1000e
check "... the e1000's saved file is unchanged" cmp -s /tmp/e1000.saved "$E1000FILE"
check "... nothing saved for the second e1000e" test ! -e "$(saved_file "$E2" || echo /nonexistent)"
check "... no .vfio-bind-* temp file left" no_temp
check "... and no COULD NOT PUT IT BACK" sh -c "! grep -q 'COULD NOT PUT IT BACK' /tmp/vb.err"
umount "$CONF"

# No inode left: the temp file cannot even be made.
mount -t tmpfs -o size=1m,nr_inodes=4,mode=755 tmpfs "$CONF"
i=0
while touch "$CONF/.fill$i" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); done
diag "  $CONF out of inodes after $i files"
vb "$E1"
is "binding e1000e with no inode left exits 1" 1 echo "$rc"
check "... saying No space left" said "No space left"
state "... it is back on e1000e, no override" "$E1" e1000e
check "... no .vfio-bind-* temp file left" no_temp
umount "$CONF"
vb --unbind "$E1000"
state "(the e1000 back on e1000, forgotten)" "$E1000" e1000
check "(nothing saved any more)" test -z "$(ls "$CONF")"

finish
