#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the early-boot VM guest (a Debian root with initramfs-tools or dracut),
# once per boot; the boots share one disk. Layout "two": e1000e E1 at 01:00.0 (saved),
# virtio-net V1 at 02:00.0 (an ID rule, 1af4:1041), e1000e E2 at 03:00.0 (the control,
# never saved). $1 is the phase:
#   prep   booted through the small busybox initramfs: save E1 and the ID rule, add an
#          untrusted saved file and one whose module does not exist, then rebuild the
#          initramfs with the command vfio-bind names, and check what went into it
#   check  booted through that initramfs: E1 and V1 were bound inside it, before any
#          host driver touched them; E2 got e1000e there; then --unbind E1 without
#          rebuilding the initramfs
#   stale  booted through the same, now stale, initramfs: it binds E1 again, and the
#          boot unit hands E1 back to e1000e and says so in the journal
# Asserts on the end state: driver links, overrides, the kernel log, /run records.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=../persist/guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

phase=$1
VARIANT=e1000e-vfio-pci
E1=0000:01:00.0
V1=0000:02:00.0
E2=0000:03:00.0
RECORDS=/run/vfio-bind/early
KVER=$(uname -r)
IMAGE=/boot/initrd.img-$KVER
settle

if command -v update-initramfs >/dev/null; then
	tool=initramfs-tools
	contents() { lsinitramfs "$IMAGE"; }
else
	tool=dracut
	contents() { lsinitrd "$IMAGE"; }
fi
diag "phase $phase, $tool, kernel $KVER"

# The early_boot value --list --json gives DEV.
early_of() {
	"$VB" --list --json "$1" 2>/dev/null | tr -d '\n' | sed -nE 's/.*"early_boot": *(true|false|null).*/\1/p'
}
# The refresh command the notice names, from stderr.
refresh_named() { printf '%s\n' "$err" | sed -n "s/.*until you run '\([^']*\)'.*/\1/p" | head -n 1; }
# The kernel log line number of the first match of an ERE, or a huge one.
first_line() { dmesg | grep -nE -m1 -- "$1" | cut -d: -f1 | grep . || echo 999999; }

case $phase in
prep)
	if [ "$tool" = initramfs-tools ]; then
		# As the kernel package's postinst does: the image -u then updates.
		t0=$(now_cs)
		update-initramfs -c -k "$KVER" >/tmp/first.log 2>&1
		is "the first initramfs is built (update-initramfs -c, $(($(now_cs) - t0))0 ms)" 0 echo $?
	fi
	is "E1 starts on e1000e" e1000e driver_of "$E1"
	is "V1 starts on virtio-pci" virtio-pci driver_of "$V1"
	vb "$E1"
	is "vfio-bind $E1 exits 0" 0 echo "$rc"
	is "... it is on $VARIANT" "$VARIANT" driver_of "$E1"
	case $tool in
	initramfs-tools) want='update-initramfs -u' ;;
	dracut) want='dracut -f' ;;
	esac
	refresh=$(refresh_named)
	check "... and it says the initramfs is out of date until '$want...' runs" matches "$refresh" "^$want"
	check "... once" test "$(printf '%s\n' "$err" | grep -c 'out of date')" = 1
	vb --id 1af4:1041
	is "vfio-bind --id 1af4:1041 exits 0" 0 echo "$rc"
	is "... V1 is on vfio-pci" vfio-pci driver_of "$V1"
	check "... and it names the refresh again" test -n "$(refresh_named)"

	# Bad input: a saved file nobody should trust, and a binding whose module is missing.
	sed "s/$E1/0000:09:00.0/" "$(conf_of "$E1")" >"$CONF/pci-0000:09:00.0.conf"
	chmod 666 "$CONF/pci-0000:09:00.0.conf"
	printf 'VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:0a:00.0\nVFIO_BIND_DRIVER=nosuch-vfio\nVFIO_BIND_MODULE=nosuch_vfio\n' \
		>"$CONF/pci-0000:0a:00.0.conf"
	chmod 644 "$CONF/pci-0000:0a:00.0.conf"

	t0=$(now_cs)
	# shellcheck disable=SC2086 # the command as vfio-bind wrote it
	$refresh >/tmp/refresh.log 2>&1
	rc=$?
	diag "\$ $refresh -> exit $rc ($(($(now_cs) - t0))0 ms)"
	grep -iE 'vfio|error|warn' /tmp/refresh.log | sed 's/^/#     /'
	is "the initramfs rebuilds with the command vfio-bind named" 0 echo "$rc"
	check "... the build says the untrusted file is not copied" \
		grep -q 'not copied into the initramfs: .*pci-0000:09:00.0.conf' /tmp/refresh.log
	check "... and names the missing module" grep -q 'nosuch_vfio' /tmp/refresh.log
	contents >/tmp/contents 2>/dev/null
	check "the image holds E1's saved binding" grep -q "etc/vfio-bind.d/pci-$E1=" /tmp/contents
	check "... and the ID rule" grep -q 'etc/vfio-bind.d/pci-id-1AF4:1041.conf' /tmp/contents
	check "... but not the untrusted file" sh -c "! grep -q 'pci-0000:09:00.0' /tmp/contents"
	check "... and vfio-bind, the rule, libkmod" sh -c \
		"grep -q 'sbin/vfio-bind\$' /tmp/contents && grep -q '60-vfio-bind.rules\$' /tmp/contents && grep -q 'libkmod.so' /tmp/contents"
	check "... and the modules: the variant, vfio-pci, vfio_iommu_type1" sh -c \
		"grep -q 'e1000e_vfio_pci.ko' /tmp/contents && grep -q 'vfio-pci.ko\|vfio_pci.ko' /tmp/contents && grep -q 'vfio_iommu_type1.ko' /tmp/contents"
	check "... and e1000e, the host driver (the test needs it there)" grep -q '/e1000e.ko' /tmp/contents
	if [ "$tool" = dracut ]; then
		# hostonly off: a generic image (only a few dracut modules, to keep TCG's time
		# down) carries the same, the VFIO modules although none is needed to boot.
		t0=$(now_cs)
		dracut -f --no-hostonly -m "base udev-rules vfio-bind" /tmp/generic.img "$KVER" >/tmp/generic.log 2>&1
		is "a generic image (--no-hostonly) builds with the vfio-bind module ($(($(now_cs) - t0))0 ms)" 0 echo $?
		lsinitrd /tmp/generic.img >/tmp/generic 2>/dev/null
		check "... and holds the binding, vfio-bind and the variant module" sh -c \
			"grep -q 'etc/vfio-bind.d/pci-$E1=' /tmp/generic && grep -q 'sbin/vfio-bind\$' /tmp/generic && grep -q 'e1000e_vfio_pci.ko' /tmp/generic"
		rm -f /tmp/generic.img
	fi
	sync
	finish
	exit
	;;
esac

# Booted through the distribution's initramfs.
check "booted through the $tool initramfs (its init ran: /run/initramfs or the records)" \
	test -d "$RECORDS" -o -d /run/initramfs
log=$(dmesg)
rootmount=$(first_line 'EXT4-fs \(vda\): mounted filesystem')
diag "the root file system was mounted (by the initramfs) at kernel log line $rootmount"

if [ "$phase" = check ]; then
	is "E1 is on $VARIANT at the end of boot" "$VARIANT" driver_of "$E1"
	e1_lines=$(printf '%s\n' "$log" | e1000e_lines "$E1")
	if [ -z "$e1_lines" ]; then
		ok "... and e1000e never probed it in this boot (no 'e1000e $E1' line)"
	else
		not_ok "... and e1000e never probed it in this boot"
		printf '%s\n' "$e1_lines" | sed 's/^/#   dmesg: /'
	fi
	check "... the initramfs recorded it in $RECORDS" grep -qx "driver=$VARIANT" "$RECORDS/pci-$E1"
	is "V1 (the ID rule) is on vfio-pci" vfio-pci driver_of "$V1"
	check "... recorded by the initramfs too" grep -qx 'driver=vfio-pci' "$RECORDS/pci-$V1"
	if printf '%s\n' "$log" | grep -q "virtio-pci $V1"; then
		not_ok "... and virtio-pci never probed it"
		printf '%s\n' "$log" | grep "virtio-pci $V1" | sed 's/^/#   dmesg: /'
	else
		ok "... and virtio-pci never probed it (no 'virtio-pci $V1' line)"
	fi
	is "E2 (the control) is on e1000e" e1000e driver_of "$E2"
	e2=$(first_line "e1000e $E2")
	diag "e1000e's first line about $E2 is kernel log line $e2"
	check "... which took it inside the initramfs, before the root was mounted" test "$e2" -lt "$rootmount"
	is "--list --json: E1 early_boot true" true early_of "$E1"
	is "... V1 early_boot true" true early_of "$V1"
	is "... E2 early_boot null (not saved)" null early_of "$E2"
	vb --unbind "$E1"
	is "vfio-bind --unbind $E1 exits 0" 0 echo "$rc"
	is "... it is on e1000e" e1000e driver_of "$E1"
	check "... and it says the initramfs is out of date" test -n "$(refresh_named)"
	sync
	finish
	exit
fi

# stale: the initramfs still held E1's binding.
is "at the end of boot E1 is back on e1000e" e1000e driver_of "$E1"
is "... with no override" "(null)" override_of "$E1"
is "... and not saved" null saved_of "$E1"
journal=$(journalctl -b --no-pager -u vfio-bind.service 2>/dev/null)
printf '%s\n' "$journal" | tail -n 8 | sed 's/^/#   journal: /'
check "the journal says vfio-bind.service handed $E1 back, no longer saved" \
	matches "$journal" "$E1: the initramfs bound it to $VARIANT, but its binding is no longer saved"
check "... the initramfs did bind it (e1000e never probed it before the root was mounted)" \
	test "$(first_line "e1000e $E1")" -gt "$rootmount"
check "... and its record is gone" test ! -e "$RECORDS/pci-$E1"
is "V1 (the ID rule, still saved) stays on vfio-pci" vfio-pci driver_of "$V1"
is "--list --json: E1 early_boot null (not saved)" null early_of "$E1"
is "... V1 early_boot true" true early_of "$V1"
is "E2 is on e1000e" e1000e driver_of "$E2"
finish
