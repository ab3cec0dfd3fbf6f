#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Hostile input, table by table: bad names and paths, bad --driver values,
# damaged sysfs, untrustworthy saved-state files, bad IDs and options. Each
# row runs the real binary on a fresh copy of the standard machine and wants
# its exit status, a message that says what is wrong, and nothing changed:
# no driver, override or saved file moved, no write reached the kernel.

. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
NVME=0000:00:04.0
ENTRY=pci-$E1000E.conf # a saved binding of the e1000e, in the oldest form

n_cases=0

dev_dir() { # DEV
	echo "$S/devices/pci0000:00/$1"
}

# Every file of the config dir but the lock: type, mode, owner, link, sum.
config_snapshot() {
	(
		cd "$T/config" || exit 1
		find . -mindepth 1 ! -name .lock -printf '%y %m %U %p -> %l\n' | LC_ALL=C sort
		find . -type f ! -name .lock -exec md5sum {} + | LC_ALL=C sort
	)
}

# fake_snapshot's view for less: types, modes, link targets, content sums.
tree_snapshot() {
	(
		cd "$S" || exit 1
		find . -path ./.fake -prune -o -type l -printf 'L %p -> %l\n' \
			-o -type d -printf 'D %p\n' -o -type f -printf 'F %p %m\n' | LC_ALL=C sort
		find . -path ./.fake -prune -o -type f -size -8k -print0 | xargs -0 md5sum |
			LC_ALL=C sort -k 2
	)
}

# The driver and override of every device: all a module load may not move.
device_state() {
	grep -E '^L \./devices/.*/driver -> |  \./devices/.*/driver_override$' "$T/$1"
}

# Each row starts from the standard machine as fake_tree made it; a copy
# is put back only after a row that set something up or changed something.
dirty=
pristine() {
	if [ ! -d "$T/pristine.sys" ]; then
		cp -a "$S" "$T/pristine.sys" && cp -a "$T/config" "$T/pristine.config" ||
			fail "cannot copy the fresh tree"
	fi
	[ -n "$dirty" ] || return 0
	dirty=
	chmod -R u+rwX "$S" "$T/config" 2>/dev/null
	rm -rf "$S" "$T/config"
	cp -a "$T/pristine.sys" "$S" && cp -a "$T/pristine.config" "$T/config" ||
		fail "cannot restore the fresh tree"
}

# Arguments as a reader can see them: control bytes as '?', cut short.
shown() {
	printf '%s ' "$@" | tr -c '[:print:]' '?' | cut -c1-70
}

# row WANT ERE SETUP [ARGS...]: one case. WANT is the exit status ("1/2":
# either), "+mod" when loading a module before refusing is fair (only
# drivers and overrides must stay); ERE must match what it printed; SETUP
# is a function that damages the tree ("-" for none).
row() {
	_want=$1 _ere=$2 _setup=$3
	shift 3
	n_cases=$((n_cases + 1))
	_case="row $n_cases [$(shown "$@")]"
	pristine
	run=vb
	[ "$_setup" = - ] || dirty=1
	[ "$_setup" = - ] || "$_setup" || fail "$_case: setup $_setup failed"
	tree_snapshot >"$T/before"
	: >"$S/.fake/log"
	config_snapshot >"$T/cbefore"
	"$run" "$@"
	tree_snapshot >"$T/after"
	config_snapshot >"$T/cafter"
	cmp -s "$T/before" "$T/after" && cmp -s "$T/cbefore" "$T/cafter" || dirty=1

	_ok=
	for _w in $(echo "${_want%+mod}" | tr / ' '); do
		[ "$rc" = "$_w" ] && _ok=1
	done
	[ -n "$_ok" ] || soft_fail "$_case: exit status $rc, want ${_want%+mod}: $(head -c 200 "$T/err")"
	cat "$T/out" "$T/err" | grep -aEqi -- "$_ere" ||
		soft_fail "$_case: output does not match /$_ere/: $(head -c 200 "$T/err")"
	case $_want in
	*+mod)
		device_state before >"$T/before.dev"
		device_state after >"$T/after.dev"
		diff -u "$T/before.dev" "$T/after.dev" >"$T/diff" ||
			soft_fail "$_case: a driver or override changed: $(cat "$T/diff")"
		grep -Ev 'plain file|\] (load|register) ' "$S/.fake/log" | grep -q . &&
			soft_fail "$_case: the kernel saw: $(tr '\n' ';' <"$S/.fake/log")"
		;;
	*)
		diff -u "$T/before" "$T/after" >"$T/diff" ||
			soft_fail "$_case: the tree changed: $(cat "$T/diff")"
		grep -v 'plain file' "$S/.fake/log" | grep -q . &&
			soft_fail "$_case: the kernel saw: $(tr '\n' ';' <"$S/.fake/log")"
		;;
	esac
	diff -u "$T/cbefore" "$T/cafter" >"$T/diff" ||
		soft_fail "$_case: the saved state changed: $(cat "$T/diff")"
	return 0
}

done_rows() {
	echo "$n_cases cases"
	[ $fake_failed -eq 0 ] || fail "some hostile cases were not handled"
}

# Hard-to-type values, built once.
nl='
'
tab=$(printf '\t')
esc=$(printf '\033')
long300=$(printf '%0300d' 0)
long5000=$(printf '%05000d' 0)

test_hostile_device_names() {
	bad='not a pci device address|not a device|not a valid|whitespace or control|empty|too long|unknown option|no device given'
	row 2 "$bad" - ''
	row 2 "$bad" - '.'
	row 2 "$bad" - '..'
	row 2 "$bad" - '../0000:00:02.0'
	row 2 "$bad" - '0000:00:02.0/..'
	row 2 "$bad" - 'a/b'
	row 2 "$bad" - '0000:00:02.0/'
	row 2 "$bad" - ' 0000:00:02.0'
	row 2 "$bad" - '0000:00:02.0 '
	row 2 "$bad" - '0000:00:02.0 0000:00:04.0'
	row 2 "$bad" - "0000:00:02.0${nl}"
	row 2 "$bad" - "0000:00:02.0${nl}0000:00:04.0"
	row 2 "$bad" - "00:02.0${tab}"
	row 2 "$bad" - "$(printf '0000:00:02.0\001')"
	row 2 "$bad" - "$(printf '0000:00:02.0\177')"
	row 2 "$bad" - "${esc}[2J0000:00:02.0"
	row 2 "$bad" - "$(printf '0000:00:02.0\303\251')"
	row 2 "$bad" - "$long300"
	row 2 "$bad" - "0000:00:02.0$long300"
	row 2 "$bad" - -0000:00:02.0
	row 2 "$bad" - -- -0000:00:02.0
	row 2 "$bad" - -- -
	row 2 "$bad" - fff51000.ethernet
	row 2 "$bad" - QEMU0002:00
	row 2 "$bad" - dprc.2
	row 2 "$bad" - usb1
	row 2 "$bad" - 1-1.4:1.0
	row 2 "$bad" - 0000:00:20.0
	row 2 "$bad" - 0000:00:02.8
	row 2 "$bad" - 000000000:00:02.0
	row 2 "$bad" - '0000:00:02.0;reboot'
	row 2 "$bad" - '$(reboot)'
	row 2 "$bad" - '%s%s%s%n'
	done_rows
}

# Every verb checks its DEVICEs before anything else.
test_hostile_device_names_of_every_verb() {
	bad='not a pci device address|not a device|not a valid|whitespace or control|empty|too long'
	row 2 "$bad" - --unbind '../../../etc'
	row 2 "$bad" - --unbind "0000:00:02.0${nl}"
	row 2 "$bad" - --restore 'a/b'
	row 2 "$bad" - --restore "$long300"
	row 2 "$bad" - --list "..${tab}"
	row 2 "$bad" - --dry-run '..'
	row 2 "$bad" - --group "$esc"
	# One bad name in a batch: the good ones are not touched either.
	row 2 "$bad" - $E1000E $NVME '..'
	done_rows
}

# A symlink outside the bus that ends in a device's name.
link_to_other_device() {
	mkdir -p "$T/evil"
	ln -s "$(dev_dir $NVME)" "$T/evil/$E1000E"
}

link_to_device() {
	ln -s "$(dev_dir $E1000E)" "$T/evil-link"
}

test_hostile_sysfs_paths() {
	bad='not a device|not a pci device|no device|no such device|not present'
	row 2 "$bad" - /sys/bus/pci/devices/$E1000E/driver
	row 2 "$bad" - /sys/bus/pci/devices/$E1000E/.
	row 2 "$bad" - /sys/bus/pci/devices/$E1000E/..
	row 2 "$bad" - /sys/bus/pci/devices/../devices/$E1000E
	row 2 "$bad" - /sys/bus/pci/drivers/e1000e
	row 2 "$bad" - /sys/bus/pci/devices/$E1000E/iommu_group/devices/$NVME/..
	row 2 "$bad" - /etc/passwd
	row 2 "$bad" - /
	row 2 "$bad" - "/$long300"
	row 2 "$bad" - link_to_other_device "$T/evil/$E1000E"
	row 2 "$bad" - link_to_device "$T/evil-link"
	# Paths that lead nowhere must not fall back to their last component.
	row 1/2 "$bad" - /sys/bus/platform/devices/$E1000E
	row 1/2 "$bad" - /nonexistent/$E1000E
	row 1/2 "$bad" - --unbind /nonexistent/$E1000E
	# Well formed and on the bus, but not there: that device fails.
	row 1 "$bad" - /sys/bus/pci/devices/0000:00:1f.7
	done_rows
}

test_hostile_driver_values() {
	bad='not a driver name|needs a value'
	row 2 "$bad" - -d '' $E1000E
	row 2 "$bad" - --driver= $E1000E
	row 2 "$bad" - -d "vfio-pci${nl}" $E1000E
	row 2 "$bad" - -d "${nl}" $E1000E
	row 2 "$bad" - -d "vfio${nl}e1000e" $E1000E
	row 2 "$bad" - -d "vfio-pci${tab}" $E1000E
	row 2 "$bad" - -d 'vfio pci' $E1000E
	row 2 "$bad" - -d ' vfio-pci' $E1000E
	row 2 "$bad" - -d vfio/pci $E1000E
	row 2 "$bad" - -d ../vfio-pci $E1000E
	row 2 "$bad" - -d /sys/bus/pci/drivers/vfio-pci $E1000E
	row 2 "$bad" - -d '..' $E1000E
	row 2 "$bad" - -d '(null)' $E1000E
	row 2 "$bad" - -d "$long300" $E1000E
	row 2 "$bad" - -d '*' $E1000E
	row 2 "$bad" - -d 'vfio-pci;reboot' $E1000E
	row 2 "$bad" - -d "${esc}[2J" $E1000E
	row 2 "$bad" - -d -vfio-pci $E1000E
	row 2 "$bad" - --driver="$(printf 'vfio-pci\001')" $E1000E
	row 2 "$bad" - -d
	# Well formed, but no such driver: refused before any override.
	row 1 "no driver 'nosuch'" - -d nosuch $E1000E
	# A module's name is no driver's: refused before it is loaded, naming
	# the driver (vfio_pci registers vfio-pci; mlx5_core, loaded, mlx5_core).
	row 1 "use --driver vfio-pci \\(a driver name, not a module" - -d vfio_pci $E1000E
	row 1 "use --driver vfio-pci \\(a driver name, not a module" - -d vfio_pci --dry-run $E1000E
	row 1 "use --driver vfio-pci \\(a driver name, not a module" - -d vfio_pci $E1000E $NVME
	row 1 "use --driver vfio-pci \\(a driver name, not a module" - -d vfio_pci --group $E1000E
	row 1 "use --driver mlx5_core \\(a driver name, not a module" - -d mlx5-core $E1000E
	row 1 "registers no pci driver" - -d vfio $E1000E
	done_rows
}

# -d vfio_pci (the module) loads nothing and leaves the device where it is;
# -d vfio-pci (its driver, not registered yet) still loads the module.
test_driver_given_as_module_name_loads_nothing() {
	assert_not_loaded vfio_pci
	vb -d vfio_pci $E1000E
	assert_rc 1
	assert_says "use --driver vfio-pci"
	assert_not_loaded vfio_pci
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_unchanged
	grep -q . "$S/.fake/log" && fail "the kernel saw: $(tr '\n' ';' <"$S/.fake/log")"
	saved=$(find "$T/config" -mindepth 1 ! -name .lock)
	[ -z "$saved" ] || fail "a binding was saved: $saved"

	vb --json -d vfio_pci $E1000E
	assert_rc 1
	assert_not_loaded vfio_pci
	grep -q '"hint": "use --driver vfio-pci' "$T/out" || fail "no hint in the JSON record"

	vb -d vfio-pci $E1000E
	assert_rc 0
	assert_loaded vfio_pci
	assert_driver $E1000E vfio-pci
	assert_override $E1000E vfio-pci
}

no_override() {
	rm -f "$(dev_dir $E1000E)/driver_override"
}

modalias_is_a_directory() {
	rm -f "$(dev_dir $E1000E)/modalias"
	mkdir "$(dev_dir $E1000E)/modalias"
}

modalias_unreadable() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups true 2>/dev/null || return 1
	chmod 0 "$(dev_dir $E1000E)/modalias"
	run=vb_as_nobody
}

modalias_garbage() {
	printf 'garbage\001\377 %s' "$esc" >"$(dev_dir $E1000E)/modalias"
}

modalias_huge() {
	printf 'pci:v%s' "$long5000" >"$(dev_dir $E1000E)/modalias"
}

modalias_empty() {
	: >"$(dev_dir $E1000E)/modalias"
}

# Hot-removed between the bus's link and the device: a dangling link.
device_gone() {
	rm -rf "$(dev_dir $E1000E)"
}

device_is_a_file() {
	rm -rf "$(dev_dir $E1000E)"
	echo x >"$(dev_dir $E1000E)"
}

# The group link names no group number.
group_garbage() {
	ln -sfn ../../../kernel/iommu_groups/x "$(dev_dir $E1000E)/iommu_group"
}

override_garbage() {
	printf '%s]0;pwned\a\n' "$esc" >"$(dev_dir $E1000E)/driver_override"
}

test_hostile_sysfs_attributes() {
	row 1 "driver_override" no_override $E1000E
	row 0 "nothing to do" no_override --unbind $E1000E
	row 1 "modalias" modalias_is_a_directory $E1000E
	row 1 "modalias" modalias_is_a_directory --list $E1000E
	row 1 "modalias" modalias_unreadable --list $E1000E
	row 0 "$E1000E" modalias_garbage --list $E1000E
	row 0 "$E1000E" modalias_garbage --dry-run $E1000E
	row 0 "$E1000E" modalias_huge --list $E1000E
	row 0 "$E1000E" modalias_empty --list $E1000E
	row 1 "no such device|not present|gone|vanish|removed" device_gone $E1000E
	row 1 "no such device|not present|gone|vanish|removed|not a directory" device_is_a_file $E1000E
	row 1 "not a directory|cannot read" device_is_a_file --list $E1000E
	row 1 "IOMMU group" group_garbage $E1000E
	row 0 '\\u001b' override_garbage --list --json $E1000E
	done_rows
}

state() { # TEXT: the e1000e's saved binding holds TEXT
	printf "$1" >"$T/config/$ENTRY"
}

GOOD='VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:00:02.0\nVFIO_BIND_DRIVER=vfio-pci\nVFIO_BIND_MODULE=vfio_pci\n'

state_empty() { state ''; }
state_truncated() { state 'VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE=0000:00:0'; }
state_no_newline_key() { state 'VFIO_BIND_BUS=pci\nVFIO_BIND_DEVICE'; }
state_huge() { head -c 1048576 /dev/zero | tr '\0' '#' >"$T/config/$ENTRY"; }
state_binary() { state '\177ELF\002\001\001\000\000\000\377\376VFIO_BIND_BUS=pci\n'; }
state_nul_inside() { state 'VFIO_BIND_BUS=pci\000\nVFIO_BIND_DEVICE=0000:00:02.0\nVFIO_BIND_DRIVER=vfio-pci\n'; }
state_long_line() { state "VFIO_BIND_DRIVER=$long5000\n"; }
state_crlf() { state "$(printf "$GOOD" | sed 's/$/\r/')\n"; }
state_duplicate_keys() { state "${GOOD}VFIO_BIND_DRIVER=../../../etc\n"; }
state_driver_slash() { state "$(printf "$GOOD" | sed 's|=vfio-pci|=vfio/pci|')\n"; }
state_driver_null() { state "$(printf "$GOOD" | sed 's|=vfio-pci|=(null)|')\n"; }
state_driver_empty() { state "$(printf "$GOOD" | sed 's|=vfio-pci|=|')\n"; }
state_device_dotdot() { state "$(printf "$GOOD" | sed 's|DEVICE=.*|DEVICE=../../0000:00:02.0|')\n"; }
state_bus_dotdot() { state "$(printf "$GOOD" | sed 's|BUS=pci|BUS=../pci|')\n"; }
state_id_garbage() { state 'VFIO_BIND_BUS=pci\nVFIO_BIND_ID=zzzz:101e\n'; }

state_symlink() {
	printf "$GOOD" >"$T/good.conf"
	ln -s "$T/good.conf" "$T/config/$ENTRY"
}

state_fifo() { mkfifo "$T/config/$ENTRY"; }
state_directory() { mkdir "$T/config/$ENTRY"; }

state_other_owner() {
	state "$GOOD"
	chown $NOBODY "$T/config/$ENTRY"
}

state_world_writable() {
	state "$GOOD"
	chmod 0666 "$T/config/$ENTRY"
}

state_dir_world_writable() {
	state "$GOOD"
	chmod 0777 "$T/config"
}

state_dir_other_owner() {
	state "$GOOD"
	chown $NOBODY "$T/config"
}

test_hostile_state_files_when_restoring() {
	corrupt='corrupt|not trusted|too large|not text|not a regular|too long'
	for s in empty truncated no_newline_key huge binary nul_inside long_line crlf \
		duplicate_keys driver_slash driver_null driver_empty device_dotdot bus_dotdot \
		id_garbage symlink fifo directory other_owner world_writable \
		dir_world_writable dir_other_owner; do
		row 1 "$corrupt" state_$s --restore
	done
	row 1 "$corrupt" state_driver_slash --restore $E1000E
	done_rows
}

# Looking is not failing: the bad entry is reported, the devices listed.
test_hostile_state_files_when_listing() {
	corrupt='corrupt|not trusted|too large|not text|not a regular|too long'
	for s in huge binary symlink fifo directory other_owner crlf; do
		row 0 "$corrupt" state_$s --list
	done
	done_rows
}

test_hostile_ids() {
	badid='not a VENDOR:DEVICE ID'
	row 2 "$badid" - --id 15b3
	row 2 "$badid" - --id 15b3:101g
	row 2 "$badid" - --id 15b3:101e:00
	row 2 "$badid" - --id 15b3101e
	row 2 "$badid" - --id 0x15b3:0x101e
	row 2 "$badid" - --id ''
	row 2 "$badid" - --id $E1000E
	row 2 "$badid" - --id 'zz zz:1111'
	row 2 "$badid" - --id "15b3:101e${nl}"
	row 2 "$badid" - --id "15b3:101e${nl}8086:10d3"
	row 2 "$badid" - --id "$long300"
	row 2 "$badid" - --unbind --id ../15b3:101e
	row 2 "$badid" - --id 15b3:101e '..'
	done_rows
}

test_hostile_option_combinations() {
	row 2 'combined|goes with|only' - --id --list 15b3:101e
	row 2 'combined|goes with|only' - --id --restore
	row 2 'combined|goes with|only' - --id --group 15b3:101e
	row 2 'combined|goes with|only' - --unbind --list
	row 2 'combined|goes with|only' - --restore --unbind
	row 2 'combined|goes with|only' - --list --restore
	row 2 'combined|goes with|only' - --list --driver vfio-pci
	row 2 'combined|goes with|only' - --unbind -d vfio-pci $E1000E
	row 2 'combined|goes with|only' - --restore --no-save
	row 2 'combined|goes with|only' - --unbind --group $E1000E
	row 2 'combined|goes with|only' - --list --group
	row 2 'one bus' - --platform --bus=pci $E1000E
	row 2 'not a bus' - --bus=../pci $E1000E
	row 2 'not a bus' - --bus= $E1000E
	row 2 'no bus' - --bus=usb 1-1
	row 2 'needs a value' - --bus
	row 2 'needs a value' - --driver
	row 2 'unknown option' - --frobnicate $E1000E
	# An abbreviation of two options is ambiguous, not unknown.
	row 2 "'--d' is ambiguous.*--driver.*--dry-run" - --d vfio-pci $E1000E
	row 2 "'--dr' is ambiguous.*--driver.*--dry-run" - --dr=vfio-pci $E1000E
	row 2 "'--u' is ambiguous.*--unbind.*--udev-export" - --u $E1000E
	row 2 "'--ver' is ambiguous.*--verbose.*--version" - $E1000E --ver
	row 2 'unknown option' - --dx $E1000E
	row 2 'unknown option' - -x $E1000E
	row 2 'no DEVICE' - --unbind
	row 2 'no DEVICE' - --dry-run --force
	done_rows
}

# True when stdin holds a byte that is neither printable ASCII nor a newline.
unprintable() {
	[ "$(LC_ALL=C tr -d '\n\040-\176' | wc -c)" -gt 0 ]
}

# Messages quote what they refuse; a terminal must not act on it.
test_messages_never_echo_control_bytes() {
	for args in "-d ${esc}]0;x" "--id ${esc}[2J" "--bus=${esc}[2J" "${esc}[2J"; do
		pristine
		# shellcheck disable=SC2086
		vb $args $E1000E
		[ "$rc" = 2 ] || soft_fail "[$(shown $args)]: exit status $rc, want 2"
		unprintable <"$T/err" &&
			soft_fail "[$(shown $args)]: stderr has control bytes: $(od -c "$T/err" | head -n 3)"
	done
	for opt in --list=x --unbind=x --no-save=1 --json=pretty --help=1; do
		pristine
		vb $opt $E1000E
		[ "$rc" = 2 ] || soft_fail "$opt: exit status $rc, want 2"
		unprintable <"$T/err" &&
			soft_fail "$opt: stderr has control bytes: $(od -c "$T/err" | head -n 3)"
		grep -q -- "${opt%%=*}" "$T/err" ||
			soft_fail "$opt: the message does not name ${opt%%=*}: $(cat "$T/err")"
	done
	[ $fake_failed -eq 0 ] || fail "messages echo control bytes or name the wrong option"
}

# True when FILE is well-formed UTF-8: no stray or missing continuation
# bytes, overlong forms, surrogates or code points above U+10FFFF.
valid_utf8() { # FILE
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <"$1" 2>/dev/null
	elif locale -a 2>/dev/null | grep -Eqix 'c\.utf-?8'; then
		! LC_ALL=C.UTF-8 grep -aqxv '.*' "$1"
	else
		skip "neither python3 nor a C.UTF-8 locale to check UTF-8 with"
	fi
}

# sysfs strings are bytes; --json prints UTF-8 whatever they hold: good
# sequences as they are, U+FFFD for each other byte >= 0x80.
test_json_is_valid_utf8_whatever_sysfs_holds() {
	# é € 𝄞, then a lone continuation byte, a truncated €, an overlong '/',
	# a surrogate, U+110000 and a byte no UTF-8 has.
	good=$(printf '\303\251\342\202\254\360\235\204\236')
	fffd=$(printf '\357\277\275')
	printf '%s|\200|\342\202|\300\257|\355\240\200|\364\220\200\200|\377\n' "$good" \
		>"$(dev_dir $E1000E)/driver_override"
	printf 'pci:v\377\300\257%s' "$good" >"$(dev_dir $E1000E)/modalias"
	# Each prints the device's driver_override as it reads it.
	for args in "--list --json $E1000E" "--list --json" "--dry-run --json $E1000E"; do
		# shellcheck disable=SC2086
		vb $args
		[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "exit status $rc, want 0 or 1"
		grep -q '"driver_override"' "$T/out" || fail "[$args]: no JSON record of the device"
		valid_utf8 "$T/out" || fail "[$args]: stdout is not UTF-8"
		grep -aq "$good|" "$T/out" || fail "[$args]: good UTF-8 did not pass as it is"
		grep -aq "|$fffd|$fffd$fffd|$fffd$fffd|$fffd$fffd$fffd|$fffd$fffd$fffd$fffd|$fffd" "$T/out" ||
			fail "[$args]: bad bytes are not each U+FFFD"
	done
}

# A bound device must be saved in a form vfio-bind can read back.
test_bind_with_garbage_modalias_saves_what_it_can_read() {
	modalias_garbage
	vb $E1000E
	case $rc in
	1)
		assert_driver $E1000E e1000e
		return 0
		;;
	0) ;;
	*) fail "exit status $rc, want 0 or 1" ;;
	esac
	vb --list $E1000E
	assert_rc 0
	if grep -aEqi 'corrupt|not trusted' "$T/err"; then
		fail "the binding it just saved is refused: $(tr -c '[:print:]\n' ? <"$T/err")"
	fi
	ls "$T/config" | unprintable &&
		fail "a saved file name holds control bytes: $(ls "$T/config" | od -c | head -n 3)"
	return 0
}

fake_main "$@"
