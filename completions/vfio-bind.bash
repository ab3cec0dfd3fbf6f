# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vfio-bind

_vfio_bind()
{
	local cur prev bus=pci i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# The bus the devices are on: --platform, --bus BUS or --bus=BUS.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--platform) bus=platform ;;
		--bus=*) bus=${COMP_WORDS[i]#--bus=} ;;
		--bus) bus=${COMP_WORDS[i + 1]} ;;
		esac
	done

	case $prev in
	-d | --driver)
		# VFIO drivers registered now, and the bus's generic one.
		local drivers
		drivers=$(ls "/sys/bus/$bus/drivers" 2>/dev/null | grep -i vfio)
		COMPREPLY=($(compgen -W "$drivers vfio-$bus" -- "$cur"))
		return
		;;
	--bus)
		COMPREPLY=($(compgen -W "$(ls /sys/bus 2>/dev/null)" -- "$cur"))
		return
		;;
	--owner)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	--reset-method)
		COMPREPLY=($(compgen -W 'flr pm bus acpi device_specific af_flr cxl_bus' -- "$cur"))
		return
		;;
	-J | --jobs)
		COMPREPLY=($(compgen -W '1 4 16 64 256' -- "$cur"))
		return
		;;
	--class)
		COMPREPLY=($(compgen -W 'net storage gpu multimedia usb crypto accel bridge' -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--driver --dry-run --force --group --jobs --json --quiet --reset-method --owner
			--verbose --unbind --restore --list --no-save --id --platform --bus --class --udev-export --udev-owner --initramfs --initramfs-plan
			--help --version' -- "$cur"))
		return
	fi

	# With --id: the vendor:device IDs present; else the bus's device names.
	if [[ " ${COMP_WORDS[*]} " == *" --id "* ]]; then
		local ids
		ids=$(paste -d: <(cat /sys/bus/pci/devices/*/vendor 2>/dev/null) \
			<(cat /sys/bus/pci/devices/*/device 2>/dev/null) | sed 's/0x//g' | sort -u)
		COMPREPLY=($(compgen -W "$ids" -- "$cur"))
	else
		# The bus's devices, and on PCI the interfaces and disks they carry.
		local names
		names=$(ls "/sys/bus/$bus/devices" 2>/dev/null)
		[ "$bus" != pci ] || names="$names $(ls /sys/class/net /sys/class/block 2>/dev/null)"
		COMPREPLY=($(compgen -W "$names" -- "$cur"))
	fi
	__ltrim_colon_completions "$cur" 2>/dev/null
}

complete -F _vfio_bind vfio-bind
