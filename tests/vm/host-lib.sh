# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# What every VM driver does on the host before and after its boots, sourced by
# vm-test.sh, safety/, faults/, platform/, batch/, persist/ and early/ (POSIX sh; bash
# sources it too) once it has set $vm to this directory. A driver calls, in this order:
#   vm_setup NAME BUILD_ROOT WORK       skips (77) with VFIO_BIND_SKIP_VM=1 or off amd64;
#                                       sets $vm_name, $build, $work (made), $accel
#   vm_need TOOL...                     skips without one of them
#   vm_kernel                           Debian's kernel: $cache, $tree, $kver, $kernel
#   vm_variant                          the test variant module against it: $ko
#   vm_install [PATH...]                "meson install --destdir $work/destdir", which must
#                                       have put each */PATH there
#   vm_module_files MODULE...           $modfiles: those modules' files and their dependencies
#   vm_updates KO...                    modules built here, into the install tree's updates/
#   vm_initramfs ARG...                 make-initramfs.sh ARG... (its log as comments)
#   vm_guest_tree DIR [SCRIPT...]       the systemd guests' scripts and test unit, a tree
#                                       for make-image.sh
# then boots with run-vm.sh and reads the results with vm_summary (one boot) or
# vm_report for each boot, vm_host_check for the host's own results and vm_end (many).
# Environment: VFIO_BIND_SKIP_VM, VFIO_BIND_VM_CACHE (kernel and root cache, default
# /var/cache/vfio-bind-tests), VFIO_BIND_VM_KERNEL (the kernel series every suite
# boots, e.g. 6.12; default the machine's own Debian kernel: see fetch-kernel.sh),
# VFIO_BIND_VM_ACCEL (default tcg), VFIO_BIND_VM_TIMEOUT.

skip() { echo "$vm_name: SKIP: $*"; exit 77; }
fail() { echo "$vm_name: FAIL: $*"; exit 1; }

# vm_setup NAME BUILD_ROOT WORK: WORK is relative to BUILD_ROOT.
vm_setup() {
	vm_name=$1
	build=$(cd "$2" && pwd)
	work=$build/$3
	accel=${VFIO_BIND_VM_ACCEL:-tcg}
	[ "${VFIO_BIND_SKIP_VM:-0}" = 1 ] && skip "VFIO_BIND_SKIP_VM=1"
	[ "$(uname -m)" = x86_64 ] || skip "the VM tests boot an amd64 kernel; this is $(uname -m)"
	mkdir -p "$work"
}

vm_need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool not found"
	done
}

# The image holds root-owned files and mkfs.ext4 -d copies owners as they are.
vm_need_root() { [ "$(id -u)" = 0 ] || skip "making the root image needs root"; }

vm_kernel() {
	cache=${VFIO_BIND_VM_CACHE:-/var/cache/vfio-bind-tests}
	# A developer who is not root keeps the kernel in their own cache.
	if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-bind-tests
	fi
	tree=$("$vm/fetch-kernel.sh" "$cache") || exit $?
	kver=$(basename "$tree")
	# The uncompressed image boots in half the time under TCG.
	kernel=$tree/boot/vmlinux-$kver
	[ -s "$kernel" ] || kernel=$tree/boot/vmlinuz-$kver
}

vm_variant() {
	ko=$("$vm/variant/build.sh" "$tree/usr/src/linux-headers-$kver" "$work/variant") ||
		fail "cannot build the variant module against $kver"
}

# What the project installs, as a package would lay it out.
vm_install() {
	rm -rf "$work/destdir"
	meson install -C "$build" --no-rebuild --quiet --destdir "$work/destdir" >"$work/install.log" 2>&1 ||
		{ cat "$work/install.log"; fail "meson install --destdir failed"; }
	for want in "$@"; do
		[ -n "$(find "$work/destdir" -path "*/$want" -type f)" ] ||
			fail "meson install put no */$want into $work/destdir"
	done
}

# vm_module_files MODULE...: $modfiles, the guest kernel's files of MODULEs and what
# they depend on, dependencies first, each once.
vm_module_files() {
	modfiles=
	for mod in "$@"; do
		_deps=$(modprobe -d "$tree" -S "$kver" --show-depends "$mod") || fail "module $mod not in $kver"
		for _dep in $(echo "$_deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
			case " $modfiles " in *" $_dep "*) ;; *) modfiles="$modfiles $_dep" ;; esac
		done
	done
}

# vm_updates KO...: modules built here into the install tree's
# /lib/modules/KVER/updates/, where the guest's depmod prefers them to Debian's.
vm_updates() {
	mkdir -p "$work/destdir/lib/modules/$kver/updates"
	for _ko in "$@"; do
		cp "$_ko" "$work/destdir/lib/modules/$kver/updates/"
	done
}

# vm_moddep: the modules.dep of the guest's initramfs ($work/initramfs.cpio.gz), for
# checking that it takes the modules of vm_updates.
vm_moddep() {
	gzip -dc "$work/initramfs.cpio.gz" |
		(cd "$work" && cpio -i --quiet --to-stdout "*lib/modules/$kver/modules.dep")
}

vm_initramfs() {
	"$vm/make-initramfs.sh" "$@" 2>"$work/initramfs.log" ||
		{ cat "$work/initramfs.log"; fail "cannot build the initramfs"; }
	sed 's/^/# /' "$work/initramfs.log"
}

# vm_guest_tree DIR [SCRIPT...]: what the systemd guests of persist/ and early/ add to
# their root (../make-image.sh -x DIR -u vmtest.service): /vmtest/ with persist/'s guest
# scripts, guest-lib.sh and each SCRIPT, and vmtest.service, which runs them.
vm_guest_tree() {
	_dir=$1
	shift
	rm -rf "$_dir"
	mkdir -p "$_dir/vmtest" "$_dir/etc/systemd/system"
	install -m 0755 "$vm"/persist/guest-*.sh "$vm/guest-lib.sh" "$@" "$_dir/vmtest/"
	install -m 0644 "$vm/persist/vmtest.service" "$_dir/etc/systemd/system/"
}

# Seconds since START (date +%s%N), one decimal.
vm_since() {
	ms=$((($(date +%s%N) - $1) / 1000000))
	echo "$((ms / 1000)).$((ms % 1000 / 100))"
}

# vm_tap LOG: the guest script's lines off a console log into LOG.tap (the console
# ends lines in CR LF; only TAP lines and comments matter).
vm_tap() {
	tr -d '\r' <"$1" | grep -aE '^(ok|not ok) [0-9]+ |^# |^1\.\.[0-9]+$' >"$1.tap" || true
}

# vm_finished LOG RUN_VM_EXIT: the guest reported to the end (VMTEST-DONE); if not,
# says so with the console's last lines, without the firmware's terminal escapes.
vm_finished() {
	tr -d '\r' <"$1" | grep -aq '^VMTEST-DONE' && return 0
	echo "# the guest did not finish (run-vm exit $2); last lines of the console ($1):"
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tail -n 25 | awk '{ print "#   " $0 }'
	return 1
}

# vm_summary LOG RUN_VM_EXIT: the end of a one-boot driver. Prints the guest's TAP lines
# and "NAME: N passed, N failed, N known bugs (TODO)"; exits 0 only when the guest
# reported to the end, every planned result was read and none failed. TAP's "# TODO"
# marks a known bug of the tool: reported, not failing; one that passes now is pointed
# out, so that the TODO can go.
vm_summary() {
	log=$1
	vm_tap "$log"
	cat "$log.tap"
	plan=$(sed -n 's/^1\.\.//p' "$log.tap")
	seen=$(grep -cE '^(ok|not ok) ' "$log.tap" || true)
	failed=$(grep '^not ok ' "$log.tap" | grep -vc ' # TODO ' || true)
	todo=$(grep -c '^not ok .* # TODO ' "$log.tap" || true)
	grep '^ok .* # TODO ' "$log.tap" | sed 's/^/# passes now, drop its TODO: /' || true
	vm_finished "$log" "$2" || fail "the guest did not report to the end"
	[ "$plan" = "$seen" ] || fail "$seen results read off the console, the guest planned ${plan:-none}"
	echo "$vm_name: $((seen - failed - todo)) passed, $failed failed, $todo known bugs (TODO)"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# Many boots, one stream: results renumbered in $n, failures counted in $failed.
n=0 failed=0

# vm_report BOOT RUN_VM_EXIT: the TAP lines of BOOT's console ($work/BOOT.log) into the
# stream as "BOOT: what"; a "not ok" marked "# TODO" is a known bug, not a failure. A
# guest that did not report to the end, or not every planned result, is one failure.
vm_report() {
	_log=$work/$1.log _seen=0
	vm_tap "$_log"
	_plan=$(sed -n 's/^1\.\.//p' "$_log.tap")
	while IFS= read -r _line; do
		case $_line in
		"not ok "*)
			n=$((n + 1)) _seen=$((_seen + 1))
			case $_line in *' # TODO'*) ;; *) failed=$((failed + 1)) ;; esac
			echo "not ok $n - $1: ${_line#* - }" ;;
		"ok "*)
			n=$((n + 1)) _seen=$((_seen + 1))
			echo "ok $n - $1: ${_line#* - }" ;;
		"#"*) echo "$_line" ;;
		esac
	done <"$_log.tap"
	if ! tr -d '\r' <"$_log" | grep -aq '^VMTEST-DONE'; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $1: the guest finished and reported (run-vm exit $2)"
		vm_finished "$_log" "$2" || true
	elif [ "$_plan" != "$_seen" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $1: all $_plan results read off the console (got $_seen)"
	fi
}

# vm_host_check DESCRIPTION COMMAND...: a result of the host's own, in the stream.
vm_host_check() {
	_desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $_desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $_desc"
	fi
}

# vm_end [TEXT]: closes the stream; exits 0 only if nothing failed.
vm_end() {
	echo "1..$n"
	echo "$vm_name: ${1:+$1, }$((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# The first line run-vm.sh wrote about a boot (on stderr, LOG.err).
vm_took() { grep '^run-vm: .* took ' "$1.err" | sed 's/^run-vm: //'; }
