#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The build-machine benchmark: `vfio-bind --list`
# against a fake tree of 1024 PCI devices (the standard machine of
# tests/fake/lib.sh plus 1018 more), measured for
#
#   start-up and listing time   median of many runs (hyperfine, else a loop)
#   the floor                   the same for list-floor, a static program
#                               that makes only the reads the --list
#                               contract's columns need: the kernel's share
#   peak memory                 max RSS (/usr/bin/time -f %M)
#   processes spawned           strace -f -c -e trace=process
#   libkmod contexts            kmod_new calls (gdb breakpoint counts), for
#                               the listing and for a bind of a batch of 8
#
# and prints a table against the goals: < 10 ms, < 4 MiB, 0 processes,
# 1 kmod context. Figures, not a test: the exit status is 0 when every
# measurement could be made, whatever the figures.
#
#   bench-list.sh BUILDDIR     (a plain build; BENCH_RUNS=200, BENCH_KEEP=1)
#
# --list only reads, and reads the fake tree; the bind batch runs under the
# fake-kernel shim (fake-sysfs.so) without CAP_SYS_MODULE, as the fake tests
# do, so nothing here can change the machine.

set -u

[ $# -eq 1 ] || {
	echo "usage: ${0##*/} BUILDDIR" >&2
	exit 2
}
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
S=$T/sys
say() {
	printf '%s\n' "$*" >&2
}

# --- the tree ---------------------------------------------------------------

# 1018 more devices on 8 root ports: NICs, NVMe, ConnectX VFs, virtio, and
# unknown ones, a quarter bound to their host driver, each in its own group.
add_devices() {
	_n=0
	for _port in 0 1 2 3 4 5 6 7; do
		_rp=0000:00:1d.$_port
		_bus=$(printf '%02x' $((0x10 + _port)))
		fake_device "$S" $_rp pci0000:00 1b36 000c 1b36 0000 060400 $((100 + _port))
		fake_bind "$S" $_rp pcieport
		for _slot in $(seq 0 31); do
			for _fn in 0 1 2 3; do
				[ $_n -lt 1010 ] || return 0
				_dev=$(printf '0000:%s:%02x.%x' "$_bus" "$_slot" "$_fn")
				_g=$((1000 + _n))
				case $((_n % 5)) in
				0) set -- 8086 10d3 8086 a01f 020000 e1000e ;;
				1) set -- 1b36 0010 1af4 1100 010802 nvme ;;
				2) set -- 15b3 101e 15b3 0001 020000 mlx5_core ;;
				3) set -- 1af4 1041 1af4 1100 020000 virtio-pci ;;
				*) set -- 1234 $(printf '%04x' $_n) 0000 0000 ff0000 - ;;
				esac
				fake_device "$S" "$_dev" $_rp "$1" "$2" "$3" "$4" "$5" $_g
				[ "$6" = - ] || [ $((_n % 4)) -ne 0 ] || fake_bind "$S" "$_dev" "$6"
				_n=$((_n + 1))
			done
		done
	done
}

say "building a fake tree of 1024 devices in $T (a minute) ..."
fake_tree "$T" >"$T/setup.log" 2>&1 || {
	cat "$T/setup.log" >&2
	exit 1
}
add_devices
ndev=$(ls "$S/bus/pci/devices" | wc -l)
say "$ndev devices"

export VFIO_BIND_SYSFS="$S"
export VFIO_BIND_MODULES_DIR="$T/modules/lib/modules/$FAKE_KVER"
export VFIO_BIND_MODPROBE_DIR="$T/modprobe.d"
export VFIO_BIND_CONFIG_DIR="$T/config"

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

# kmod_new calls in a run of vfio-bind ARGS (with the environment given).
kmod_news() { # [VAR=VALUE...] -- ARGS...
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
		echo 'break kmod_new'
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

batch="0000:00:02.0 0000:03:00.1 0000:10:00.0 0000:10:00.1 0000:10:00.2 0000:10:00.3 0000:11:00.0 0000:11:00.2"
k_list=- k_batch=-
# libkmod is dlopen()ed and called through pointers, which ltrace cannot see:
# gdb's pending breakpoint counts the calls.
if command -v gdb >/dev/null 2>&1; then
	k_list=$(kmod_news -- --list)
	# Binding changes the fake tree only: the shim stands in for the kernel,
	# and without CAP_SYS_MODULE nothing could load a real module anyway.
	if [ "$(id -u)" -eq 0 ] && [ -f "$shim" ]; then
		gdb_prefix=
		setpriv --bounding-set=-sys_module true 2>/dev/null &&
			gdb_prefix="setpriv --bounding-set=-sys_module --"
		# shellcheck disable=SC2086
		k_batch=$(kmod_news "LD_PRELOAD=$shim" -- --no-save $batch)
		bound=$(grep -c 'probe .*: bound' "$S/.fake/log" 2>/dev/null)
		[ "$bound" = 8 ] || say "the bind batch bound ${bound:-0} of 8 devices: $(tail -n 3 "$T/gdb.out")"
		[ ! -s "$S/.fake/violations" ] || say "the shim refused: $(cat "$S/.fake/violations")"
	fi
fi

# --- the machine and the table ----------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
btype=$(sed -n 's/^buildtype = //p' "$build/meson-info/intro-buildoptions.json" 2>/dev/null)
btype=$(python3 -c 'import json,sys; print([o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"][0])' \
	"$build/meson-info/intro-buildoptions.json" 2>/dev/null || echo "$btype")
cc=$(sed -n 's/^C compiler for the host machine: //p' "$build/meson-logs/meson-log.txt" 2>/dev/null | head -n 1)

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
row "--list, time" "$t_list" ms "<" 10
row "--list --json, time" "$t_json" ms "<" 10
row "--list, CPU time (user+sys, mean)" "$c_list" ms "<" 10
row "--list --json, CPU time (user+sys, mean)" "$c_json" ms "<" 10
row "--list, of that in the kernel (sys, mean)" "$s_list" ms - ""
row "floor (list-floor: 4 reads a device), time" "$t_floor" ms - ""
row "floor, CPU time (user+sys, mean)" "$c_floor" ms - ""
row "floor, of that in the kernel (sys, mean)" "$s_floor" ms - ""
row "--list time / floor time" "$r_floor" x - ""
row "--list, peak RSS" "$(mib "$rss_list")" MiB "<" 4
row "--list --json, peak RSS" "$(mib "$rss_json")" MiB "<" 4
row "--list, system calls (strace -c)" "$syscalls" "" - ""
row "--list, processes spawned (clone/fork)" "$spawned" "" "=" 0
row "--list, execve beyond its own" "$extra_exec" "" "=" 0
row "--list, files opened for writing" "$writes" "" "=" 0
row "--list, kmod_new calls (gdb)" "$k_list" "" "=" 1
row "bind batch of 8 devices, kmod_new calls" "$k_batch" "" "=" 1
