#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The build-machine benchmark: `vfio-bind --list` against fake trees of 1024
# PCI devices (the standard machine of tests/fake/lib.sh plus 1018 more): a
# realistic one (4 SR-IOV NICs with 240 VFs each, and assorted devices: 60
# distinct models) measured for
#
#   start-up and listing time   median of many runs (hyperfine, else a loop)
#   the floor                   the same for list-floor, a static program
#                               that makes only the reads the --list
#                               contract's columns need: the kernel's share
#   peak memory                 max RSS (/usr/bin/time -f %M)
#   processes spawned           strace -f -c -e trace=process
#   libkmod contexts            kmod_new calls (gdb breakpoint counts), for
#                               the listing and for a bind of a batch of 8
#   hwdb lookups                udev_hwdb_get_properties_list_entry calls
#
# and the worst case for names, the same tree with every device a model of
# its own, for time and hwdb lookups. Prints tables against the goals: within 1.5x the floor,
# < 4 MiB, 0 processes, 1 kmod context, a lookup per distinct modalias.
# Figures, not a test: the exit status is 0 when every measurement could be
# made, whatever the figures.
#
#   bench-list.sh BUILDDIR     (a plain build; BENCH_RUNS=200, BENCH_KEEP=1)
#
# Names come from udev's hardware database through libudev; where udev is not
# installed there is none, and --list names nothing. BENCH_HWDB=FILE (root)
# runs the whole benchmark in a mount namespace where FILE, a hwdb.bin that
# `systemd-hwdb update` compiled, is the first file libudev looks for
# (/etc/systemd/hwdb/hwdb.bin); nothing outside the namespace changes.
#
# --list only reads, and reads the fake tree; the bind batch runs under the
# fake-kernel shim (fake-sysfs.so) without CAP_SYS_MODULE, as the fake tests
# do, so nothing here can change the machine.

set -u

[ $# -eq 1 ] || {
	echo "usage: ${0##*/} BUILDDIR" >&2
	exit 2
}
if [ -n "${BENCH_HWDB:-}" ] && [ -z "${BENCH_HWDB_MOUNTED:-}" ]; then
	hwdb=$(readlink -f "$BENCH_HWDB") && [ -f "$hwdb" ] || {
		echo "${0##*/}: BENCH_HWDB=$BENCH_HWDB is not a file" >&2
		exit 2
	}
	# A tmpfs over /etc/systemd in a namespace of our own: the file appears
	# there only, and goes with the namespace.
	# shellcheck disable=SC2016
	exec env BENCH_HWDB_MOUNTED=1 unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=0755 bench-hwdb /etc/systemd && mkdir /etc/systemd/hwdb &&
			: >/etc/systemd/hwdb/hwdb.bin &&
			mount --bind -o ro "$1" /etc/systemd/hwdb/hwdb.bin || exit 1
		shift
		exec sh "$@"' sh "$hwdb" "$0" "$@"
fi
build=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
fake=$here/../fake
bin=$build/src/vfio-bind
shim=$build/tests/fake/fake-sysfs.so
floor=$build/tests/bench/list-floor
runs=${BENCH_RUNS:-200}
[ -x "$bin" ] || {
	echo "${0##*/}: $bin is not built" >&2
	exit 1
}

. "$fake/lib.sh"
MAKE_MODULE_TREE=$here/../lib/make-module-tree.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/vfio-bind-bench.XXXXXX") || exit 1
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
say() {
	printf '%s\n' "$*" >&2
}

# --- the trees --------------------------------------------------------------

# The realistic machine: 4 SR-IOV NICs of different models with 240 VFs each
# (half of them bound to their VF driver, a quarter to vfio-pci), each NIC on
# a root port of its own, and 46 devices of assorted distinct models on 4 more
# ports, beside the standard machine: 1024 PCI devices, 60 distinct modaliases.
# Every VF is in an IOMMU group of its own, as behind ACS. (Loop variables
# are _b*: fake_device sets _v, _d, _g ... of its own.)
PF_MODELS="8086:1592:8086:0002:ice:8086:1889:iavf
15b3:101d:15b3:0042:mlx5_core:15b3:101e:mlx5_core
8086:1572:8086:0000:i40e:8086:154c:iavf
14e4:16d7:14e4:1402:bnxt_en:14e4:16dc:bnxt_en"
# Assorted: vendor device subvendor subdevice class, each model once.
ASSORTED="10de 2204 10de 1454 030000|1002 73bf 1002 0e3a 030000|144d a808 144d a801 010802
8086 f1a8 8086 390d 010802|1e0f 0007 1e0f 0001 010802|8086 a36d 1028 085c 0c0330
1912 0015 1912 0015 0c0330|8086 a352 1028 085c 010601|8086 a348 1028 085c 040300
1000 0097 1000 3090 010700|9005 028f 9005 0800 010400|8086 0d58 8086 0000 020000
8086 1533 8086 0000 020000|10ec 8168 1462 7c37 020000|14e4 165f 1028 1f5b 020000
8086 2723 8086 0084 028000|1022 1483 1022 1453 060400|1022 149c 1022 148c 0c0330
1022 1487 1022 d102 040300|10de 1aeb 10de 1454 0c0330|10de 10f8 10de 1454 040300
8086 3e98 1028 085c 030000|8086 a370 8086 0034 028000|8086 06ed 1028 09c4 0c0330
8086 06e0 1028 09c4 078000|8086 06a3 1028 09c4 0c0500|8086 06a4 1028 09c4 0c8000
8086 06f0 8086 4070 028000|15b3 1019 15b3 0008 020000|15b3 a2d6 15b3 0083 020000
19e5 3714 19e5 3714 010802|1c5c 174a 1c5c 174a 010802|1d0f 8061 1d0f 8061 010802
1d0f ec20 1d0f ec20 020000|1af4 1042 1af4 1100 010000|1af4 1043 1af4 1100 078000
1af4 1044 1af4 1100 00ff00|1af4 1045 1af4 1100 00ff00|1af4 1048 1af4 1100 010000
1af4 1050 1af4 1100 038000|1af4 1052 1af4 1100 090000|1af4 1053 1af4 1100 078000
1b36 0001 1b36 0000 060400|1b36 000d 1af4 1100 0c0330|1b36 0011 1af4 1100 ff0000
1b36 0100 1af4 1100 030000"

# A VF as fake_device and fake_bind would make it, with the shell's builtins
# and a few ln: 960 of them in seconds, not minutes. All VFs sit at one depth,
# devices/pci0000:00/PORT/VF, so the relative links are fixed.
add_vf() { # PORT PF VF VENDOR DEVICE SUBVENDOR SUBDEVICE GROUP DRIVER|-
	_rel=devices/pci0000:00/$1/$3
	_d=$S/$_rel
	mkdir -p "$_d" "$S/kernel/iommu_groups/$8/devices"
	printf '0x%s\n' "$4" >"$_d/vendor"
	printf '0x%s\n' "$5" >"$_d/device"
	printf '0x%s\n' "$6" >"$_d/subsystem_vendor"
	printf '0x%s\n' "$7" >"$_d/subsystem_device"
	printf '0x020000\n' >"$_d/class"
	printf '0x00\n' >"$_d/revision"
	printf '(null)\n' >"$_d/driver_override"
	printf '1\n' >"$_d/enable"
	printf -- '-1\n' >"$_d/numa_node"
	_ma=$(printf 'pci:v%08Xd%08Xsv%08Xsd%08Xbc02sc00i00' "0x$4" "0x$5" "0x$6" "0x$7")
	printf '%s\n' "$_ma" >"$_d/modalias"
	printf 'PCI_CLASS=20000\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\nMODALIAS=%s\n' \
		"0x$4" "0x$5" "0x$6" "0x$7" "$3" "$_ma" >"$_d/uevent"
	: >"$_d/remove"
	: >"$_d/reset"
	printf 'DMA\n' >"$S/kernel/iommu_groups/$8/type"
	: >"$S/kernel/iommu_groups/$8/reserved_regions"
	ln -s ../../../../bus/pci "$_d/subsystem"
	ln -s "../../../$_rel" "$S/bus/pci/devices/$3"
	ln -s "../../../../kernel/iommu_groups/$8" "$_d/iommu_group"
	ln -s "../../../../$_rel" "$S/kernel/iommu_groups/$8/devices/$3"
	ln -s "../$2" "$_d/physfn"
	ln -s "../$3" "$S/devices/pci0000:00/$1/$2/virtfn$(($8 % 1000 - 1))"
	[ "$9" = - ] || {
		ln -s "../../../../bus/pci/drivers/$9" "$_d/driver"
		ln -s "../../../../$_rel" "$S/bus/pci/drivers/$9/$3"
	}
}

add_realistic() {
	for _m in ice iavf i40e bnxt_en; do
		fake_module "$S" $_m $_m
		fake_load "$S" $_m
	done
	_p=0
	echo "$PF_MODELS" | while IFS=: read -r _bv _bd _bsv _bsd _pdrv _vd _vdev _vdrv; do
		_rp=0000:00:1d.$_p
		_bus=$(printf '%02x' $((0x10 + _p)))
		fake_device "$S" $_rp pci0000:00 1b36 000c 1b36 0000 060400 $((100 + _p))
		fake_bind "$S" $_rp pcieport
		_pf=0000:$_bus:00.0
		fake_device "$S" $_pf $_rp "$_bv" "$_bd" "$_bsv" "$_bsd" 020000 $((1000 + _p * 1000))
		fake_bind "$S" $_pf "$_pdrv"
		_pfdir=$(cd "$S" && readlink -f "bus/pci/devices/$_pf" | sed "s|^$(pwd -P)/||")
		echo 240 >"$S/$_pfdir/sriov_numvfs"
		echo 240 >"$S/$_pfdir/sriov_totalvfs"
		_i=0
		while [ $_i -lt 240 ]; do
			_fn=$((_i + 1))
			_vf=$(printf '0000:%s:%02x.%x' "$_bus" $((_fn / 8)) $((_fn % 8)))
			case $((_i % 4)) in
			0 | 1) _drv=$_vdrv ;;
			2) _drv=vfio-pci ;;
			*) _drv=- ;;
			esac
			add_vf $_rp $_pf "$_vf" "$_vd" "$_vdev" "$_bsv" "$_bsd" \
				$((1000 + _p * 1000 + 1 + _i)) $_drv
			_i=$((_i + 1))
		done
		_p=$((_p + 1))
	done
	_n=0
	echo "$ASSORTED" | tr '|' '\n' | while read -r _bv _bd _bsv _bsd _bc; do
		_port=$((4 + _n / 12))
		_rp=0000:00:1d.$_port
		_bus=$(printf '%02x' $((0x10 + _port)))
		[ -e "$S/bus/pci/devices/$_rp" ] || {
			fake_device "$S" $_rp pci0000:00 1b36 000c 1b36 0000 060400 $((100 + _port))
			fake_bind "$S" $_rp pcieport
		}
		fake_device "$S" "$(printf '0000:%s:%02x.0' "$_bus" $((_n % 12)))" $_rp \
			"$_bv" "$_bd" "$_bsv" "$_bsd" "$_bc" $((6000 + _n))
		_n=$((_n + 1))
	done
}

# The worst case for names: the realistic tree with every device a model of
# its own (each gets a device ID of its own, 0x4000 + its number), so that
# every device is a lookup of its own; the rest of the tree, and so the
# kernel's share, stays the same.
make_distinct() { # REALISTIC_DIR DIR
	cp -a "$1" "$2"
	_n=0
	for _d in "$2"/sys/bus/pci/devices/*; do
		IFS= read -r _ma <"$_d/modalias"
		_id=$(printf '%08X' $((0x4000 + _n)))
		# pci:vVVVVVVVVdDDDDDDDD...: the device ID is characters 15-22.
		_pre=${_ma%"${_ma#pci:v????????d}"}
		_post=${_ma#pci:v????????d????????}
		printf '%s%s%s\n' "$_pre" "$_id" "$_post" >"$_d/modalias"
		printf '0x%04x\n' $((0x4000 + _n)) >"$_d/device"
		_n=$((_n + 1))
	done
}

# make_tree DIR realistic: the standard machine plus the above.
make_tree() {
	_tree=$1
	S=$_tree/sys
	mkdir -p "$_tree"
	fake_tree "$_tree" >"$_tree/setup.log" 2>&1 || {
		cat "$_tree/setup.log" >&2
		exit 1
	}
	fake_load "$S" vfio_pci
	add_$2
}

# use_tree DIR: what the runs below read.
use_tree() {
	S=$1/sys
	export VFIO_BIND_SYSFS="$S"
	export VFIO_BIND_MODULES_DIR="$1/modules/lib/modules/$FAKE_KVER"
	export VFIO_BIND_MODPROBE_DIR="$1/modprobe.d"
	export VFIO_BIND_CONFIG_DIR="$1/config"
}

say "building two fake trees of 1024 devices in $T (a few minutes) ..."
make_tree "$T/realistic" realistic
make_distinct "$T/realistic" "$T/distinct"
use_tree "$T/realistic"
ndev=$(ls "$S/bus/pci/devices" | wc -l)
# distinct_modaliases DIR
distinct_modaliases() {
	cat "$1"/sys/bus/pci/devices/*/modalias | sort -u | wc -l
}
say "$ndev devices, $(distinct_modaliases "$T/realistic") distinct modaliases;" \
	"worst case: $(ls "$T/distinct/sys/bus/pci/devices" | wc -l) devices," \
	"$(distinct_modaliases "$T/distinct") distinct"

# --- time -------------------------------------------------------------------

# median_ms PROGRAM ARGS...: median wall time of a run of PROGRAM ARGS, in ms.
median_ms() {
	if command -v hyperfine >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
		hyperfine -N --style none --warmup 10 --runs "$runs" \
			--export-json "$T/hf.json" -- "$*" >/dev/null 2>&1 || return 1
		# The CPU time (user + system, mean) aside: it ignores a busy machine.
		python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f" % (r["median"] * 1000)); open(sys.argv[2], "w").write("%.2f %.2f\n" % ((r["user"] + r["system"]) * 1000, r["system"] * 1000))' \
			"$T/hf.json" "$T/cpu"
		return
	fi
	_i=0
	while [ $_i -lt "$runs" ]; do
		_t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		_t1=$(date +%s%N)
		echo $((_t1 - _t0))
		_i=$((_i + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f\n", a[int((NR + 1) / 2)] / 1e6 }'
}

timer=loop
command -v hyperfine >/dev/null 2>&1 && timer="hyperfine $(hyperfine --version | cut -d' ' -f2)"
say "timing ($timer, $runs runs each) ..."
# Wall times mean little on a busy machine: say how busy it was.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_ms() { # the CPU time; with "sys", the kernel's part of it
	if [ -s "$T/cpu" ]; then
		if [ "${1:-}" = sys ]; then cut -d' ' -f2 "$T/cpu"; else cut -d' ' -f1 "$T/cpu"; fi
	else
		echo -
	fi
}
t_version=$(median_ms "$bin" --version)
c_version=$(cpu_ms)
t_list=$(median_ms "$bin" --list)
c_list=$(cpu_ms)
s_list=$(cpu_ms sys)
t_json=$(median_ms "$bin" --list --json)
c_json=$(cpu_ms)
t_floor=- c_floor=- s_floor=- r_floor=-
if [ -x "$floor" ]; then
	t_floor=$(median_ms "$floor")
	c_floor=$(cpu_ms)
	s_floor=$(cpu_ms sys)
	r_floor=$(awk -v a="$t_list" -v b="$t_floor" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
fi
rows=$("$bin" --list 2>/dev/null | tail -n +2 | wc -l)

# --- memory -----------------------------------------------------------------

# Max RSS in KiB over five runs: the largest, not the kindest.
max_rss_kib() {
	for _i in 1 2 3 4 5; do
		/usr/bin/time -f '%M' -o "$T/rss" "$bin" "$@" >/dev/null 2>&1
		cat "$T/rss"
	done | sort -n | tail -n 1
}

rss_list=- rss_json=-
if [ -x /usr/bin/time ]; then
	rss_list=$(max_rss_kib --list)
	rss_json=$(max_rss_kib --list --json)
fi
mib() { # KiB
	[ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'
}

# --- processes and writes ---------------------------------------------------

# Calls per syscall name from `strace -c` output (the name is the last field).
strace_calls() { # FILE NAME
	awk -v n="$2" '$NF == n { print $4; f = 1 } END { if (!f) print 0 }' "$1"
}

spawned=- extra_exec=- writes=- syscalls=-
if command -v strace >/dev/null 2>&1; then
	strace -f -c -o "$T/strace-all" "$bin" --list >/dev/null 2>&1
	syscalls=$(awk '$NF == "total" { print $4 }' "$T/strace-all")
	strace -f -c -e trace=process -o "$T/strace-c" "$bin" --list >/dev/null 2>&1
	spawned=0
	for _s in clone clone3 fork vfork; do
		spawned=$((spawned + $(strace_calls "$T/strace-c" $_s)))
	done
	# strace's own launch of the binary is the one execve there should be.
	extra_exec=$(($(strace_calls "$T/strace-c" execve) - 1))
	# --list opens nothing for writing.
	strace -f -e trace=open,openat,creat -o "$T/strace-open" "$bin" --list >/dev/null 2>&1
	writes=$(grep -cE 'O_WRONLY|O_RDWR|O_CREAT|creat\(' "$T/strace-open")
fi

# --- libkmod contexts -------------------------------------------------------

# Calls of FUNCTION in a run of vfio-bind ARGS (with the environment given).
gdb_calls() { # FUNCTION [VAR=VALUE...] -- ARGS...
	_fn=$1
	shift
	{
		echo 'set pagination off'
		echo 'set confirm off'
		echo 'set startup-with-shell off'
		echo 'set breakpoint pending on'
		while [ "$1" != -- ]; do
			echo "set environment $1"
			shift
		done
		shift
		echo "break $_fn"
		echo 'commands'
		echo 'silent'
		echo 'continue'
		echo 'end'
		echo 'run'
		echo 'info breakpoints'
	} >"$T/gdb.cmd"
	# shellcheck disable=SC2086
	${gdb_prefix:-} gdb -batch -x "$T/gdb.cmd" --args "$bin" "$@" >"$T/gdb.out" 2>&1
	_n=$(sed -n 's/.*breakpoint already hit \([0-9]*\) time.*/\1/p' "$T/gdb.out")
	echo "${_n:-0}"
}

# VFs on their VF driver or on none, and two devices of the standard machine.
batch="0000:00:02.0 0000:03:00.1 0000:10:00.1 0000:10:00.4 0000:11:00.1 0000:11:00.4 0000:12:00.1 0000:12:00.4"
k_list=- k_batch=- h_list=-
# libkmod is dlopen()ed and called through pointers, which ltrace cannot see:
# gdb's pending breakpoint counts the calls.
if command -v gdb >/dev/null 2>&1; then
	k_list=$(gdb_calls kmod_new -- --list)
	h_list=$(gdb_calls udev_hwdb_get_properties_list_entry -- --list)
	# Binding changes the fake tree only: the shim stands in for the kernel,
	# and without CAP_SYS_MODULE nothing could load a real module anyway.
	if [ "$(id -u)" -eq 0 ] && [ -f "$shim" ]; then
		gdb_prefix=
		setpriv --bounding-set=-sys_module true 2>/dev/null &&
			gdb_prefix="setpriv --bounding-set=-sys_module --"
		# shellcheck disable=SC2086
		k_batch=$(gdb_calls kmod_new "LD_PRELOAD=$shim" -- --no-save $batch)
		bound=$(grep -c 'probe .*: bound' "$S/.fake/log" 2>/dev/null)
		[ "$bound" = 8 ] || say "the bind batch bound ${bound:-0} of 8 devices: $(tail -n 3 "$T/gdb.out")"
		[ ! -s "$S/.fake/violations" ] || say "the shim refused: $(cat "$S/.fake/violations")"
	fi
fi

# --- the worst case for names: every device a model of its own --------------

use_tree "$T/distinct"
say "timing the all-distinct tree ..."
d_list=$(median_ms "$bin" --list)
dc_list=$(cpu_ms)
ds_list=$(cpu_ms sys)
d_floor=- dc_floor=- dr_floor=- dr_cpu=-
if [ -x "$floor" ]; then
	d_floor=$(median_ms "$floor")
	dc_floor=$(cpu_ms)
	dr_floor=$(awk -v a="$d_list" -v b="$d_floor" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	dr_cpu=$(awk -v a="$dc_list" -v b="$dc_floor" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
fi
dh_list=-
command -v gdb >/dev/null 2>&1 && dh_list=$(gdb_calls udev_hwdb_get_properties_list_entry -- --list)
use_tree "$T/realistic"

# --- the machine and the table ----------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
btype=$(sed -n 's/^buildtype = //p' "$build/meson-info/intro-buildoptions.json" 2>/dev/null)
btype=$(python3 -c 'import json,sys; print([o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"][0])' \
	"$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo "$btype")
cc=$(sed -n 's/^C compiler for the host machine: //p' "$build/meson-logs/meson-log.txt" 2>/dev/null | head -n 1)
# The file libudev reads, as it searches (systemd 252, Debian's split /usr).
hwdb_file=none
for _f in /etc/systemd/hwdb/hwdb.bin /etc/udev/hwdb.bin /usr/lib/systemd/hwdb/hwdb.bin \
	/lib/systemd/hwdb/hwdb.bin /usr/lib/udev/hwdb.bin /lib/udev/hwdb.bin; do
	[ -f "$_f" ] && hwdb_file="$_f ($(($(stat -c %s "$_f") / 1024)) KiB${BENCH_HWDB:+, BENCH_HWDB=$BENCH_HWDB})" && break
done
r_cpu=$(awk -v a="$c_list" -v b="$c_floor" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
n_real=$(distinct_modaliases "$T/realistic")
n_dist=$(distinct_modaliases "$T/distinct")

verdict() { # VALUE OP GOAL
	[ "$1" = - ] && echo "not measured" && return
	[ "$2" = - ] && return
	awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN {
		ok = op == "<" ? v < g : v == g; print ok ? "ok" : "MISSED" }'
}

echo
echo "vfio-bind --list on a fake tree of $ndev PCI devices ($rows listed)"
echo "machine: $cpu, $(nproc) CPUs, $mem; $os; kernel $(uname -r)"
echo "load average before and after: $load0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build: $btype, ${cc:-cc}; timer: $timer, $runs runs, median"
echo "names: $hwdb_file"
echo
printf '| %-42s | %10s | %8s | %-12s |\n' measure figure goal verdict
printf '| %-42s | %10s | %8s | %-12s |\n' ------------------------------------------ ---------- -------- ------------
row() { # MEASURE FIGURE UNIT OP GOAL
	_goal="$4 $5 $3"
	[ "$4" != - ] || _goal=-
	printf '| %-42s | %10s | %8s | %-12s |\n' "$1" "$2 $3" "$_goal" "$(verdict "$2" "$4" "$5")"
}
row "--version (start-up alone), time" "$t_version" ms "<" 10
row "--version, CPU time (user+sys, mean)" "$c_version" ms "<" 10
row "--list, time" "$t_list" ms - ""
row "--list --json, time" "$t_json" ms - ""
row "--list, CPU time (user+sys, mean)" "$c_list" ms - ""
row "--list --json, CPU time (user+sys, mean)" "$c_json" ms - ""
row "--list, of that in the kernel (sys, mean)" "$s_list" ms - ""
row "floor (list-floor: 4 reads a device), time" "$t_floor" ms - ""
row "floor, CPU time (user+sys, mean)" "$c_floor" ms - ""
row "floor, of that in the kernel (sys, mean)" "$s_floor" ms - ""
row "--list time / floor time" "$r_floor" x "<" 1.5
row "--list CPU time / floor CPU time" "$r_cpu" x "<" 1.5
row "--list, peak RSS" "$(mib "$rss_list")" MiB "<" 4
row "--list --json, peak RSS" "$(mib "$rss_json")" MiB "<" 4
row "--list, system calls (strace -c)" "$syscalls" "" - ""
row "--list, processes spawned (clone/fork)" "$spawned" "" "=" 0
row "--list, execve beyond its own" "$extra_exec" "" "=" 0
row "--list, files opened for writing" "$writes" "" "=" 0
row "--list, kmod_new calls (gdb)" "$k_list" "" "=" 1
row "bind batch of 8 devices, kmod_new calls" "$k_batch" "" "=" 1
row "--list, hwdb lookups (gdb)" "$h_list" "" "=" "$n_real"

echo
echo "the worst case for names: $(ls "$T/distinct/sys/bus/pci/devices" | wc -l) devices, $n_dist distinct modaliases"
echo
printf '| %-42s | %10s | %8s | %-12s |\n' measure figure goal verdict
printf '| %-42s | %10s | %8s | %-12s |\n' ------------------------------------------ ---------- -------- ------------
row "--list, time" "$d_list" ms - ""
row "--list, CPU time (user+sys, mean)" "$dc_list" ms - ""
row "--list, of that in the kernel (sys, mean)" "$ds_list" ms - ""
row "floor, time" "$d_floor" ms - ""
row "floor, CPU time (user+sys, mean)" "$dc_floor" ms - ""
row "--list time / floor time" "$dr_floor" x - ""
row "--list CPU time / floor CPU time" "$dr_cpu" x - ""
row "--list, hwdb lookups (gdb)" "$dh_list" "" "=" "$n_dist"
