#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs inside the early-boot VM guest (a Debian root with initramfs-tools or dracut),
# once per boot; the boots share one disk. Layout "two": e1000e E1 at 01:00.0 (saved),
# virtio-net V1 at 02:00.0 (an ID rule, 1af4:1041), e1000e E2 at 03:00.0 (the control,
# never saved). $1 is the phase:
#   prep   booted through the small busybox initramfs: save E1 and the ID rule, add an
#          untrusted saved file and one whose module does not exist, then refresh the
#          initramfs with the command vfio-bind names, and check what went into it
#   check  booted through that initramfs: E1 and V1 were bound inside it, before any
#          host driver touched them; E2 got e1000e there; then --unbind E1 without
#          refreshing the initramfs
#   stale  booted through the same, now stale, initramfs: it binds E1 again, and the
#          boot unit hands E1 back to e1000e and says so in the journal
# Asserts on the end state: driver links, overrides, the kernel log, /run records.
# The kernel log, the journal and the refresh's output of every boot stay on the disk
# in /var/log/vmtest/, which the host copies out at the end.

# shellcheck source=../guest-lib.sh
. /vmtest/guest-lib.sh
# shellcheck source=../persist/guest-persist-lib.sh
. /vmtest/guest-persist-lib.sh

phase=$1
VARIANT=e1000e-vfio-pci
E1=0000:01:00.0
V1=0000:02:00.0
E2=0000:03:00.0
UNTRUSTED=0000:09:00.0
NOSUCH=0000:0a:00.0
RECORDS=/run/vfio-bind/early
KVER=$(uname -r)
# Both tools write this name on Debian: initramfs-tools always, Debian's dracut when
# /boot/vmlinuz-KVER exists and there are no boot loader entries.
IMAGE=/boot/initrd.img-$KVER
LOGS=/var/log/vmtest
mkdir -p "$LOGS"
settle

if command -v update-initramfs >/dev/null; then
	tool=initramfs-tools
	want_refresh='update-initramfs -u'
	contents() { lsinitramfs "$1"; }
else
	tool=dracut
	want_refresh='dracut -f'
	contents() { lsinitrd "$1"; }
fi
diag "phase $phase, $tool, kernel $KVER"

# The early_boot value --list --json gives DEV: true, false, null, or "" when absent.
early_of() {
	"$VB" --list --json "$1" 2>/dev/null | tr -d '\n' | sed -nE 's/.*"early_boot": *(true|false|null).*/\1/p'
}
# The refresh command the notice names: the quoted words starting with the tool's
# command in stderr ($err of the last vb).
refresh_named() {
	printf '%s\n' "$err" | grep -oE "'${want_refresh%% *}[^']*'" | head -n 1 | tr -d "'"
}
# first_line ERE: the line number in the saved kernel log ($klog) of its first match,
# or 999999.
first_line() { grep -nE -m1 -- "$1" "$klog" | cut -d: -f1 | grep . || echo 999999; }
# Whether the file names of RECORDS include DEV; the records' contents as notes.
recorded() {
	local f found=1
	for f in "$RECORDS"/*; do
		case ${f##*/} in
		*"$1"*) found=0; diag "  record $f: $(tr '\n' ' ' <"$f")" ;;
		esac
	done
	return $found
}
save_logs() {
	dmesg >"$LOGS/$phase.dmesg"
	journalctl -b --no-pager -o short-monotonic >"$LOGS/$phase.journal" 2>&1
}

case $phase in
prep)
	# The image was made with a stand-in /boot/initrd.img-KVER (the busybox initramfs
	# this boot came through), as on any installed system: "update-initramfs -u -k all"
	# updates only images that exist.
	diag "before the refresh: $IMAGE is $(stat -c %s "$IMAGE" 2>/dev/null || echo missing) bytes"
	is "E1 starts on e1000e" e1000e driver_of "$E1"
	is "V1 starts on virtio-pci" virtio-pci driver_of "$V1"
	vb "$E1"
	is "vfio-bind $E1 exits 0" 0 echo "$rc"
	is "... it is on $VARIANT" "$VARIANT" driver_of "$E1"
	refresh=$(refresh_named)
	check "... and stderr names the refresh command '$want_refresh...'" matches "$refresh" "^$want_refresh"
	check "... once" test "$(printf '%s\n' "$err" | grep -c -- "$want_refresh")" = 1
	check "... and stdout does not" sh -c "! printf '%s\n' \"\$1\" | grep -q -- '$want_refresh'" - "$out"
	vb --id 1af4:1041
	is "vfio-bind --id 1af4:1041 exits 0" 0 echo "$rc"
	is "... V1 is on vfio-pci" vfio-pci driver_of "$V1"
	check "... and stderr names the refresh command again" test -n "$(refresh_named)"

	# Bad input, made from E1's saved file (same keys, same name pattern): a copy for
	# another address that anyone may write, and a trusted one for an absent device
	# whose VFIO driver and module do not exist.
	e1conf=$(conf_of "$E1")
	diag "E1's saved file ${e1conf##*/}: $(grep -v '^#' "$e1conf" | tr '\n' ' ')"
	untrusted=${e1conf/$E1/$UNTRUSTED}
	sed "s/$E1/$UNTRUSTED/" "$e1conf" >"$untrusted"
	chmod 666 "$untrusted"
	nosuch=${e1conf/$E1/$NOSUCH}
	sed -e "s/$E1/$NOSUCH/" -e 's/^VFIO_BIND_DRIVER=.*/VFIO_BIND_DRIVER=nosuch-vfio/' \
		-e 's/^VFIO_BIND_MODULE=.*/VFIO_BIND_MODULE=nosuch_vfio/' "$e1conf" >"$nosuch"
	chmod 644 "$nosuch"
	diag "written: ${untrusted##*/} (0666) and ${nosuch##*/} (0644, nosuch-vfio / nosuch_vfio)"

	# As a user would: the command vfio-bind named, as it named it.
	t0=$(now_cs)
	# shellcheck disable=SC2086 # the command as vfio-bind wrote it
	$refresh >"$LOGS/prep-refresh.log" 2>&1
	rc=$?
	t=$(($(now_cs) - t0))
	diag "\$ $refresh -> exit $rc ($((t / 100)).$((t % 100 / 10)) s)"
	grep -iE 'vfio|error|warn|fail' "$LOGS/prep-refresh.log" | sed 's/^/#     /'
	is "the initramfs refresh exits 0 ($((t / 100)) s)" 0 echo "$rc"
	check "... its output names the untrusted file with 'not copied'" \
		grep -qE "not copied.*${untrusted##*/}|${untrusted##*/}.*not copied" "$LOGS/prep-refresh.log"
	check "... it names the missing module nosuch_vfio" grep -q 'nosuch_vfio' "$LOGS/prep-refresh.log"
	contents "$IMAGE" >"$LOGS/prep-contents" 2>&1
	diag "$IMAGE: $(stat -c %s "$IMAGE") bytes, $(wc -l <"$LOGS/prep-contents") entries"
	grep -E 'vfio' "$LOGS/prep-contents" | sed 's/^/#     /'
	check "the image holds E1's saved file" grep -q "etc/vfio-bind.d/${e1conf##*/}\$" "$LOGS/prep-contents"
	check "... and the ID rule's" grep -q 'etc/vfio-bind.d/pci-id-1AF4:1041.conf$' "$LOGS/prep-contents"
	check "... and the trusted one of the absent device" grep -q "etc/vfio-bind.d/${nosuch##*/}\$" "$LOGS/prep-contents"
	check "... but not the untrusted one" sh -c "! grep -q '$UNTRUSTED' '$LOGS/prep-contents'"
	check "... and vfio-bind, the rule, libkmod" sh -c \
		"grep -q 'sbin/vfio-bind\$' '$LOGS/prep-contents' && grep -q '60-vfio-bind.rules\$' '$LOGS/prep-contents' && grep -q 'libkmod.so' '$LOGS/prep-contents'"
	check "... and the modules: the variant, vfio-pci, vfio_iommu_type1" sh -c \
		"grep -q 'e1000e_vfio_pci.ko' '$LOGS/prep-contents' && grep -q 'vfio-pci.ko\|vfio_pci.ko' '$LOGS/prep-contents' && grep -q 'vfio_iommu_type1.ko' '$LOGS/prep-contents'"
	check "... and e1000e, the host driver (the test needs it there)" grep -q '/e1000e.ko' "$LOGS/prep-contents"
	if [ "$tool" = dracut ]; then
		# hostonly off: a generic image (only a few dracut modules, to keep TCG's time
		# down) carries the same, the VFIO modules although none is needed to boot.
		t0=$(now_cs)
		dracut -f --no-hostonly -m "base udev-rules vfio-bind" /tmp/generic.img "$KVER" >"$LOGS/prep-generic.log" 2>&1
		rc=$? t=$(($(now_cs) - t0))
		diag "\$ dracut -f --no-hostonly ... -> exit $rc ($((t / 100)).$((t % 100 / 10)) s)"
		is "a generic image (--no-hostonly) builds with the vfio-bind module ($((t / 100)) s)" 0 echo "$rc"
		lsinitrd /tmp/generic.img >/tmp/generic 2>/dev/null
		check "... and holds the binding, vfio-bind and the variant module" sh -c \
			"grep -q 'etc/vfio-bind.d/${e1conf##*/}\$' /tmp/generic && grep -q 'sbin/vfio-bind\$' /tmp/generic && grep -q 'e1000e_vfio_pci.ko' /tmp/generic"
		rm -f /tmp/generic.img
	fi
	# The untrusted file has done its job; left in place it would make every later
	# --restore (the boot unit) fail for a reason that has nothing to do with early boot.
	rm -f "$untrusted"
	save_logs
	sync
	finish
	exit
	;;
esac

# Booted through the distribution's initramfs, from the guest's own disk.
save_logs
klog=$LOGS/$phase.dmesg
diag "kernel command line: $(cat /proc/cmdline)"
case $tool in
initramfs-tools)
	# Its /init makes /run/initramfs; the busybox boot initramfs does not.
	check "booted through the initramfs-tools image (/run/initramfs exists)" test -d /run/initramfs ;;
dracut)
	check "booted through the dracut image (/run/initramfs exists, the journal has the initrd's part)" \
		sh -c "test -d /run/initramfs && grep -q 'initrd' '$LOGS/$phase.journal'" ;;
esac
# When the real root starts: the initramfs mounts the root file system once, from its
# own /init (initramfs-tools: scripts/local, "mount -t ext4 /dev/vda /root") or
# from its own systemd (dracut: sysroot.mount), and ext4 says so in the kernel log:
# "EXT4-fs (vda): mounted filesystem ...". Nothing of the real root runs before that
# line; everything before it ran in the initramfs. (A later remount says "re-mounted".)
# systemd's own lines are no marker for dracut: its initrd runs systemd too.
rootmount=$(first_line 'EXT4-fs \(vda\): mounted filesystem')
diag "the root file system was mounted at kernel log line $rootmount: $(sed -n "${rootmount}p" "$klog")"
grep -nE "vfio|e1000e|virtio-pci|EXT4-fs|Run /init|Switching root|systemd\[1\]: (systemd [0-9]|Detected|Running in)" "$klog" |
	head -n 40 | sed 's/^/#   dmesg: /'
unit=$(systemctl show -p ActiveState -p Result vfio-bind.service | sort | tr '\n' ' ')
diag "vfio-bind.service: $unit"
journal=$(journalctl -b --no-pager -u vfio-bind.service 2>/dev/null)
printf '%s\n' "$journal" | grep -v '^-- ' | tail -n 8 | sed 's/^/#   journal: /'

if [ "$phase" = check ]; then
	is "E1 is on $VARIANT at the end of boot" "$VARIANT" driver_of "$E1"
	e1_lines=$(e1000e_lines "$E1" <"$klog")
	if [ -z "$e1_lines" ]; then
		ok "... and e1000e never probed it in this boot (no 'e1000e $E1' line)"
	else
		not_ok "... and e1000e never probed it in this boot"
		printf '%s\n' "$e1_lines" | sed 's/^/#   dmesg: /'
	fi
	check "... $RECORDS has a record for it" recorded "$E1"
	is "V1 (the ID rule) is on vfio-pci" vfio-pci driver_of "$V1"
	check "... $RECORDS has a record for it too" recorded "$V1"
	if grep -q "virtio-pci $V1" "$klog"; then
		not_ok "... and virtio-pci never probed it"
		grep "virtio-pci $V1" "$klog" | sed 's/^/#   dmesg: /'
	else
		ok "... and virtio-pci never probed it (no 'virtio-pci $V1' line)"
	fi
	is "E2 (the control) is on e1000e" e1000e driver_of "$E2"
	e2=$(first_line "e1000e $E2")
	diag "e1000e's first line about $E2 is kernel log line $e2: $(sed -n "${e2}p" "$klog")"
	check "... which took it inside the initramfs, before the root was mounted" test "$e2" -lt "$rootmount"
	is "--list --json: E1 early_boot true" true early_of "$E1"
	is "... V1 early_boot true" true early_of "$V1"
	check "... E2 early_boot absent or null (not saved)" sh -c "case '$(early_of "$E2")' in ''|null) ;; *) false ;; esac"
	# Its binding is in the image (prep) and its module is nowhere: the boot got here.
	check "... no record for the absent $NOSUCH, whose module nosuch_vfio does not exist" \
		sh -c "! ls '$RECORDS' 2>/dev/null | grep -q '$NOSUCH'"
	vb --unbind "$E1"
	is "vfio-bind --unbind $E1 exits 0" 0 echo "$rc"
	is "... it is on e1000e" e1000e driver_of "$E1"
	check "... and stderr names the refresh command" matches "$(refresh_named)" "^$want_refresh"
	sync
	finish
	exit
fi

# stale: the initramfs still holds E1's binding.
check "the initramfs bound E1 again: e1000e printed nothing about it before the root was mounted" \
	test "$(first_line "e1000e $E1")" -gt "$rootmount"
is "at the end of boot E1 is on e1000e" e1000e driver_of "$E1"
is "... with no override" "(null)" override_of "$E1"
is "... and not saved" null saved_of "$E1"
check "journalctl -b -u vfio-bind.service names $E1 with 'no longer saved'" \
	sh -c "printf '%s\n' \"\$1\" | grep \"$E1\" | grep -q 'no longer saved'" - "$journal"
if recorded "$E1"; then diag "a record for $E1 is still in $RECORDS"; else diag "no record for $E1 in $RECORDS"; fi
is "V1 (the ID rule, still saved) stays on vfio-pci" vfio-pci driver_of "$V1"
check "--list --json: E1 early_boot not true (it is '$(early_of "$E1")')" test "$(early_of "$E1")" != true
is "... V1 early_boot true" true early_of "$V1"
is "E2 is on e1000e" e1000e driver_of "$E2"
finish
