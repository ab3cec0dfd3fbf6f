# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# Builds fake sysfs trees for the shim (fake-sysfs.so) and sets up the
# model's control data. Source it; every function takes the sysfs root
# first. Links are relative, as the kernel makes them.
#
#   fake_tree T           the standard machine under T (see below)
#   fake_device ROOT DEV PARENT VENDOR DEVICE SUBVENDOR SUBDEVICE CLASS [GROUP]
#   fake_builtin ROOT MOD DRV MATCH...   a built-in driver
#   fake_module ROOT MOD [DRV [MATCH...]]  what loading MOD registers
#   fake_load ROOT MOD    MOD is loaded (its drivers registered)
#   fake_bind ROOT DEV DRV / fake_unbind ROOT DEV / fake_move ROOT DEV DRV
#   fake_set_override ROOT DEV VALUE / fake_clear_override ROOT DEV
#   fake_probe_fail ROOT DRV ERRNO [DEV] / fake_load_fail ROOT MOD ERRNO
#   fake_vanish_on ROOT DEV ATTR
#   fake_reset_methods ROOT DEV "LIST" / fake_no_reset_method ROOT DEV
#   fake_unbind_delay ROOT DEV MS / fake_probe_delay ROOT DEV MS
#   fake_driver_remove_delay ROOT DRV MS / fake_driver_probe_delay ROOT DRV MS
#   fake_noiommu ROOT Y|N / fake_iommu_off ROOT
#   fake_vfio_cdev ROOT   VFIO drivers give each device /dev/vfio/devices/vfioN
#   fake_driver_of ROOT DEV / fake_override_of ROOT DEV / fake_snapshot ROOT

FAKE_KVER=${FAKE_KVER:-6.1.0-fake}

# "../" once for each directory above the link, relative to ROOT.
fake__ln() { # ROOT TARGET LINK
	_up=$(printf '%s' "$3" | sed 's|[^/]*/|../|g; s|[^/]*$||')
	ln -sfn "$_up$2" "$1/$3"
}

fake__set() { # FILE VALUE
	printf '%s\n' "$2" >"$1"
}

fake__ctl() { # ROOT RELPATH VALUE
	mkdir -p "$1/.fake/${2%/*}"
	fake__set "$1/.fake/$2" "$3"
}

# A bare sysfs: the directories every test needs, IOMMU groups possible.
fake_root() { # ROOT
	mkdir -p "$1/.fake/drivers" "$1/.fake/modules" "$1/.fake/devices" \
		"$1/bus/pci/devices" "$1/bus/pci/drivers" "$1/devices" \
		"$1/kernel/iommu_groups" "$1/module"
	: >"$1/.fake/cmdline"
	: >"$1/bus/pci/drivers_probe"
	: >"$1/bus/pci/rescan"
	echo 1 >"$1/bus/pci/drivers_autoprobe"
	chmod 0200 "$1/bus/pci/drivers_probe" "$1/bus/pci/rescan"
}

fake_device() { # ROOT DEV PARENT VENDOR DEVICE SUBVENDOR SUBDEVICE CLASS [GROUP]
	_r=$1 _dev=$2 _v=$4 _d=$5 _sv=$6 _sd=$7 _c=$8 _g=${9:-}
	case $3 in
	pci*) _rel=devices/$3/$_dev ;;
	*) _rel=$(cd "$_r" && readlink -f "bus/pci/devices/$3" |
		sed "s|^$(pwd -P)/||")/$_dev ;;
	esac
	_dir=$_r/$_rel
	mkdir -p "$_dir"
	fake__set "$_dir/vendor" "0x$_v"
	fake__set "$_dir/device" "0x$_d"
	fake__set "$_dir/subsystem_vendor" "0x$_sv"
	fake__set "$_dir/subsystem_device" "0x$_sd"
	fake__set "$_dir/class" "0x$_c"
	fake__set "$_dir/revision" "0x00"
	fake__set "$_dir/driver_override" "(null)"
	fake__set "$_dir/enable" "1"
	fake__set "$_dir/numa_node" "-1"
	_C=$(echo "$_c" | tr a-f A-F)
	_ma=$(printf 'pci:v%08Xd%08Xsv%08Xsd%08Xbc%ssc%si%s' \
		"0x$_v" "0x$_d" "0x$_sv" "0x$_sd" "$(echo "$_C" | cut -c1-2)" \
		"$(echo "$_C" | cut -c3-4)" "$(echo "$_C" | cut -c5-6)")
	fake__set "$_dir/modalias" "$_ma"
	# A real uevent also names DRIVER= while bound; nothing should parse it.
	printf 'PCI_CLASS=%X\nPCI_ID=%s:%s\nPCI_SUBSYS_ID=%s:%s\nPCI_SLOT_NAME=%s\nMODALIAS=%s\n' \
		"0x$_c" "$(echo "$_v" | tr a-f A-F)" "$(echo "$_d" | tr a-f A-F)" \
		"$(echo "$_sv" | tr a-f A-F)" "$(echo "$_sd" | tr a-f A-F)" \
		"$_dev" "$_ma" >"$_dir/uevent"
	: >"$_dir/remove"
	: >"$_dir/reset"
	chmod 0200 "$_dir/remove" "$_dir/reset"
	fake__ln "$_r" bus/pci "$_rel/subsystem"
	fake__ln "$_r" "$_rel" "bus/pci/devices/$_dev"
	# Bridges (class 06): a bus reset only; other devices FLR first.
	case $_c in
	06*) fake_reset_methods "$_r" "$_dev" "bus" ;;
	*) fake_reset_methods "$_r" "$_dev" "flr bus" ;;
	esac
	if [ -n "$_g" ]; then
		mkdir -p "$_r/kernel/iommu_groups/$_g/devices"
		fake__set "$_r/kernel/iommu_groups/$_g/type" DMA
		: >"$_r/kernel/iommu_groups/$_g/reserved_regions"
		fake__ln "$_r" "kernel/iommu_groups/$_g" "$_rel/iommu_group"
		fake__ln "$_r" "$_rel" "kernel/iommu_groups/$_g/devices/$_dev"
	fi
}

fake__driver_dir() { # ROOT DRV [MOD]
	_dd=$1/bus/pci/drivers/$2
	mkdir -p "$_dd"
	for _f in bind unbind new_id remove_id uevent; do
		: >"$_dd/$_f"
		chmod 0200 "$_dd/$_f"
	done
	if [ -n "${3:-}" ]; then
		mkdir -p "$1/module/$3/drivers"
		fake__ln "$1" "module/$3" "bus/pci/drivers/$2/module"
		fake__ln "$1" "bus/pci/drivers/$2" "module/$3/drivers/pci:$2"
	fi
}

fake__match() { # ROOT DRV MATCH...
	_r=$1 _drv=$2
	shift 2
	mkdir -p "$_r/.fake/drivers/$_drv"
	: >"$_r/.fake/drivers/$_drv/match"
	for _m in "$@"; do
		printf '%s\n' "$_m" >>"$_r/.fake/drivers/$_drv/match"
	done
}

# Built in: /sys/module/MOD exists without initstate, driver registered.
fake_builtin() { # ROOT MOD DRV MATCH...
	_r=$1 _mod=$2 _drv=$3
	shift 3
	fake__match "$_r" "$_drv" "$@"
	fake__driver_dir "$_r" "$_drv" "$_mod"
}

# What loading MOD does: register DRV, which matches MATCH (fnmatch patterns
# on "vvvv:dddd" or modalias). No MATCH: binds only through an override.
fake_module() { # ROOT MOD [DRV [MATCH...]]
	_r=$1 _mod=$2
	mkdir -p "$_r/.fake/modules/$_mod"
	: >"$_r/.fake/modules/$_mod/drivers"
	[ $# -ge 3 ] || return 0
	_drv=$3
	shift 3
	echo "$_drv" >"$_r/.fake/modules/$_mod/drivers"
	fake__match "$_r" "$_drv" "$@"
}

# A VFIO driver: probe fails with EINVAL without an IOMMU group.
fake_vfio_module() { # ROOT MOD DRV
	fake_module "$1" "$2" "$3"
	: >"$1/.fake/drivers/$3/vfio"
}

# MOD is loaded: the state the model would reach by loading it.
fake_load() { # ROOT MOD
	_r=$1 _mod=$2
	mkdir -p "$_r/module/$_mod/drivers" "$_r/module/$_mod/holders"
	fake__set "$_r/module/$_mod/initstate" live
	fake__set "$_r/module/$_mod/refcnt" 0
	[ -f "$_r/.fake/modules/$_mod/drivers" ] || return 0
	while read -r _drv; do
		[ -n "$_drv" ] && fake__driver_dir "$_r" "$_drv" "$_mod"
	done <"$_r/.fake/modules/$_mod/drivers"
}

fake_bind() { # ROOT DEV DRV
	_rel=$(cd "$1" && readlink -f "bus/pci/devices/$2" | sed "s|^$(pwd -P)/||")
	fake__ln "$1" "bus/pci/drivers/$3" "$_rel/driver"
	fake__ln "$1" "$_rel" "bus/pci/drivers/$3/$2"
}

fake_unbind() { # ROOT DEV
	_drv=$(fake_driver_of "$1" "$2")
	[ "$_drv" = - ] && return 0
	rm -f "$1/bus/pci/devices/$2/driver" "$1/bus/pci/drivers/$_drv/$2"
}

# DEV on DRV with the override that keeps it there, as after a bind.
fake_move() { # ROOT DEV DRV
	fake_unbind "$1" "$2"
	fake_bind "$1" "$2" "$3"
	fake_set_override "$1" "$2" "$3"
}

# VALUE "(null)" stores the text, which blocks every driver.
fake_set_override() { # ROOT DEV VALUE
	fake__set "$1/bus/pci/devices/$2/driver_override" "$3"
	rm -f "$1/.fake/devices/$2/override_null"
	if [ "$3" = "(null)" ]; then
		fake__ctl "$1" "devices/$2/override_null" ""
	fi
}

fake_clear_override() { # ROOT DEV
	fake__set "$1/bus/pci/devices/$2/driver_override" "(null)"
	rm -f "$1/.fake/devices/$2/override_null"
}

fake_probe_fail() { # ROOT DRV ERRNO [DEV]
	fake__ctl "$1" "drivers/$2/probe_fail${4:+@$4}" "$3"
}

fake_load_fail() { # ROOT MOD ERRNO
	fake__ctl "$1" "modules/$2/load_fail" "$3"
}

# DEV is hot-removed right after the kernel handled a write to ATTR
# (driver_override, unbind, bind, drivers_probe or reset_method).
fake_vanish_on() { # ROOT DEV ATTR
	fake__ctl "$1" "devices/$2/vanish_on" "$3"
}

# DEV supports the reset methods LIST (space-separated, in the kernel's
# order; what writing "default" brings back) and has them all enabled:
# reset_method reads LIST. An empty LIST: none, and reset_method reads empty.
fake_reset_methods() { # ROOT DEV "LIST"
	fake__ctl "$1" "devices/$2/reset_methods" "$3"
	if [ -n "$3" ]; then
		fake__set "$1/bus/pci/devices/$2/reset_method" "$3"
	else
		: >"$1/bus/pci/devices/$2/reset_method"
	fi
}

# No reset_method attribute on DEV, as before Linux 5.15 (or on a device
# with no reset method at all); writes to it fail as on sysfs.
fake_no_reset_method() { # ROOT DEV
	rm -f "$1/bus/pci/devices/$2/reset_method" \
		"$1/.fake/devices/$2/reset_methods"
}

# A slow remove(): unbinding DEV from any driver blocks the write MS ms
# (hot removal too). Writes about other devices go on meanwhile.
fake_unbind_delay() { # ROOT DEV MS
	fake__ctl "$1" "devices/$2/unbind_delay_ms" "$3"
}

# A slow probe(): a bind or drivers_probe write that probes DEV, by any
# driver, blocks MS ms (each driver tried, whether its probe then fails).
fake_probe_delay() { # ROOT DEV MS
	fake__ctl "$1" "devices/$2/probe_delay_ms" "$3"
}

# The same for every device of driver DRV; a device's own delay (above),
# 0 included, wins over its driver's.
fake_driver_remove_delay() { # ROOT DRV MS
	fake__ctl "$1" "drivers/$2/remove_delay_ms" "$3"
}

fake_driver_probe_delay() { # ROOT DRV MS
	fake__ctl "$1" "drivers/$2/probe_delay_ms" "$3"
}

fake_noiommu() { # ROOT Y|N
	mkdir -p "$1/module/vfio/parameters"
	fake__set "$1/module/vfio/parameters/enable_unsafe_noiommu_mode" "$2"
}

# A 6.6+ kernel built with the VFIO device cdev (and so iommufd): each device a
# VFIO driver takes gets DEV/vfio-dev/vfioN/dev and /dev/vfio/devices/vfioN.
fake_vfio_cdev() { # ROOT
	fake__set "$1/.fake/vfio_cdev" 1
}

# Booted without intel_iommu=on: no groups at all.
fake_iommu_off() { # ROOT
	for _l in "$1"/bus/pci/devices/*/iommu_group; do
		[ -L "$_l" ] && rm -f "$_l"
	done
	rm -rf "$1/kernel/iommu_groups"
	mkdir -p "$1/kernel/iommu_groups"
}

fake_driver_of() { # ROOT DEV -> driver name, or "-" when unbound
	if [ -L "$1/bus/pci/devices/$2/driver" ]; then
		basename "$(readlink "$1/bus/pci/devices/$2/driver")"
	else
		echo -
	fi
}

fake_override_of() { # ROOT DEV
	cat "$1/bus/pci/devices/$2/driver_override"
}

# Everything a test can see, to compare before and after: types, link
# targets and file contents, .fake/ left out.
fake_snapshot() { # ROOT
	(
		cd "$1" || exit 1
		find . -path ./.fake -prune -o -type l -printf 'L %p -> %l\n' \
			-o -type d -printf 'D %p\n' -o -type f -printf 'F %p %m\n' |
			LC_ALL=C sort
		find . -path ./.fake -prune -o -type f -size -8k -print |
			LC_ALL=C sort | while read -r _f; do
				printf 'C %s: %s\n' "$_f" "$(cat "$_f" 2>/dev/null)"
			done
	)
}

# The standard machine, like a q35 guest with a ConnectX VF passed in:
#
#   0000:00:00.0  8086:29c0 host bridge         no driver       group 0
#   0000:00:02.0  8086:10d3 e1000e NIC          e1000e          group 1
#   0000:00:03.0  1af4:1041 virtio-net          virtio-pci      group 2
#   0000:00:04.0  1b36:0010 NVMe                nvme            group 3
#   0000:00:1c.0  1b36:000c PCIe root port      pcieport        group 4
#   0000:03:00.1  15b3:101e ConnectX-5 VF       mlx5_core       group 5
#     (below the root port)
#
# Modules loaded: e1000e virtio_pci nvme mlx5_core vfio mlx5_vfio_pci
# (pcieport built in); loadable: vfio_pci e1000e_vfio_pci. The module tree
# holds all of them; vfio noiommu mode is N.
#
# T/sys is the sysfs root, T/modules/lib/modules/KVER the modules dir,
# T/modprobe.d the (empty) modprobe config dir, T/config the config dir.
fake_tree() { # T
	_t=$1
	_s=$_t/sys
	fake_root "$_s"
	mkdir -p "$_t/modprobe.d" "$_t/config" "$_s/devices/pci0000:00"

	fake_device "$_s" 0000:00:00.0 pci0000:00 8086 29c0 1af4 1100 060000 0
	fake_device "$_s" 0000:00:02.0 pci0000:00 8086 10d3 8086 a01f 020000 1
	fake_device "$_s" 0000:00:03.0 pci0000:00 1af4 1041 1af4 1100 020000 2
	fake_device "$_s" 0000:00:04.0 pci0000:00 1b36 0010 1af4 1100 010802 3
	fake_device "$_s" 0000:00:1c.0 pci0000:00 1b36 000c 1b36 0000 060400 4
	fake_device "$_s" 0000:03:00.1 0000:00:1c.0 15b3 101e 15b3 0001 020000 5

	fake_builtin "$_s" pcieport pcieport 'pci:*bc06sc04*'
	fake_module "$_s" e1000e e1000e 8086:10d3 8086:10d4
	fake_module "$_s" virtio_pci virtio-pci '1af4:*'
	fake_module "$_s" nvme nvme 'pci:*bc01sc08i02*'
	fake_module "$_s" mlx5_core mlx5_core 15b3:101e 15b3:1017 15b3:1018
	fake_module "$_s" vfio
	fake_module "$_s" vfio_pci_core
	fake_vfio_module "$_s" vfio_pci vfio-pci
	fake_vfio_module "$_s" mlx5_vfio_pci mlx5_vfio_pci
	fake_vfio_module "$_s" e1000e_vfio_pci e1000e-vfio-pci
	for _m in e1000e virtio_pci nvme mlx5_core vfio vfio_pci_core \
		mlx5_vfio_pci; do
		fake_load "$_s" "$_m"
	done
	fake_noiommu "$_s" N

	fake_bind "$_s" 0000:00:02.0 e1000e
	fake_bind "$_s" 0000:00:03.0 virtio-pci
	fake_bind "$_s" 0000:00:04.0 nvme
	fake_bind "$_s" 0000:00:1c.0 pcieport
	fake_bind "$_s" 0000:03:00.1 mlx5_core

	fake_module_index "$_t"
}

# The module index of the standard machine, plus any NAME:ALIAS specs given.
fake_module_index() { # T [SPEC...]
	_t=$1
	shift
	rm -rf "$_t/modules"
	"${MAKE_MODULE_TREE:-$(dirname "$0")/../lib/make-module-tree.sh}" \
		"$_t/modules" "$FAKE_KVER" "$@" \
		'vfio_pci:vfio_pci:v*d*sv*sd*bc*sc*i*' \
		'mlx5_vfio_pci:vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*' \
		'e1000e_vfio_pci:vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*' \
		'e1000e:pci:v00008086d000010D3sv*sd*bc*sc*i*,pci:v00008086d000010D4sv*sd*bc*sc*i*' \
		'virtio_pci:pci:v00001AF4d*sv*sd*bc*sc*i*' \
		'nvme:pci:v*d*sv*sd*bc01sc08i02*' \
		'mlx5_core:pci:v000015B3d0000101Esv*sd*bc*sc*i*,pci:v000015B3d00001017sv*sd*bc*sc*i*' \
		'vfio:' 'vfio_pci_core:'
}

# The module file of MOD, e.g. to delete it.
fake_ko() { # T MOD
	echo "$1/modules/lib/modules/$FAKE_KVER/kernel/$2.ko"
}
