# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vfio-bind

_vfio_bind()
{
	local cur prev
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	case $prev in
	-d | --driver)
		# Drivers already registered, and the VFIO modules there are.
		local drivers
		drivers=$(ls /sys/bus/pci/drivers 2>/dev/null | grep -i vfio)
		COMPREPLY=($(compgen -W "$drivers vfio-pci" -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--driver --dry-run --force --json --quiet
			--verbose --unbind --list --help --version' -- "$cur"))
		return
	fi

	# PCI addresses, as the kernel names them.
	COMPREPLY=($(compgen -W "$(ls /sys/bus/pci/devices 2>/dev/null)" -- "$cur"))
	__ltrim_colon_completions "$cur" 2>/dev/null
}

complete -F _vfio_bind vfio-bind
