#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test-completion.sh SHELL COMPLETION_FILE: runs the shell's completion of
# vfio-bind for a few command lines and checks what it offers: options,
# --class kinds, buses, devices (each PCI device of this machine, read from
# /sys, nothing written) and driver names. SHELL is bash, fish or zsh (a real
# interactive zsh on a pseudo-terminal, complete.zsh); 77 (skip) when that
# shell is not installed.

set -u
shell=$1 file=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v "$shell" >/dev/null 2>&1 || { echo "SKIP: $shell is not installed"; exit 77; }
rc=0
fail() { echo "FAIL: $*"; rc=1; }

# complete LINE: the words offered for LINE, one a line (descriptions cut).
complete() {
	case $shell in
	bash)
		bash --norc --noprofile -c '
			source "$1"
			read -ra COMP_WORDS <<<"$2"
			[ "${2: -1}" = " " ] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			_vfio_bind 2>/dev/null
			printf "%s\n" "${COMPREPLY[@]}"' - "$file" "$1"
		;;
	fish)
		fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$file" "$1" | cut -f1
		;;
	zsh)
		# The screen of a real zsh after two TABs: every word on it, '=' of an
		# inserted --option= cut.
		timeout 60 zsh -f "$here/complete.zsh" "$(dirname "$file")" "$1" |
			sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tr -s ' \t\r' '\n\n\n' | sed 's/=$//'
		;;
	esac
}

# offers LINE WORD...: every WORD is offered for LINE.
offers() {
	local line=$1 got
	shift
	got=$(complete "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" || fail "'$line' does not offer '$w' (offers: $(tr '\n' ' ' <<<"$got"))"
	done
}

offers "vfio-bind --cl" --class
offers "vfio-bind --li" --list
offers "vfio-bind --un" --unbind
offers "vfio-bind --list --class " net storage gpu usb crypto accel
offers "vfio-bind --bus " $(ls /sys/bus)
pci=$(ls /sys/bus/pci/devices 2>/dev/null)
# shellcheck disable=SC2086 # one word a device
[ -z "$pci" ] || offers "vfio-bind " $pci
# shellcheck disable=SC2086
[ -z "$pci" ] || offers "vfio-bind --unbind " $pci
offers "vfio-bind -d " vfio-pci
ifaces=$(ls /sys/class/net 2>/dev/null)
# shellcheck disable=SC2086 # one word an interface
[ -z "$ifaces" ] || offers "vfio-bind " $ifaces
got=$(complete "vfio-bind --list --class ")
grep -qx 'printers' <<<"$got" && fail "offers a class that is none"
[ $rc -eq 0 ] && echo "ok: $shell completes options, classes, buses, devices and drivers"
exit $rc
