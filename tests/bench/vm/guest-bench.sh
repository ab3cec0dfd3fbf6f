#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /bench/guest-bench.sh: the benchmark itself, run in the VM guest by bench.service.
# Prints one line per sample on stdout (the serial console), for vm-bench.sh to read:
#   BENCH-S SUITE TOOL REP PHASE MICROSECONDS     one timed command (PHASE bind, back, run)
#   BENCH-E SUITE TOOL REP TEXT                   a command failed or left the wrong driver
#   BENCH-I KEY VALUE...                          facts about the guest
#   BENCH-DONE
# Suites, each interleaved (every repetition runs every tool once, the order rotated
# from one repetition to the next, so drift and caches hit all of them alike):
#   cycle    one device e1000e -> VFIO driver -> e1000e: the floor (three sysfs writes
#            each way from a static busybox sh), vfio-bind -d vfio-pci, vfio-bind with
#            its variant search, the floor to that variant, driverctl, dpdk-devbind.py
#   list     vfio-bind --list [--json], driverctl list-devices, dpdk-devbind.py --status
#   restore  32 saved virtio-net devices (modern, driver virtio-pci): vfio-bind
#            --restore against the floor's 32 x 3 writes
# Repetitions from the kernel command line: bench.reps=N (cycle), bench.lreps=N (list),
# bench.rreps=N (restore), bench.suites=cycle,list,restore.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

reps=15 lreps=5 rreps=3 suites=cycle,list,restore trace=0
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench.reps=*) reps=${arg#*=} ;;
	bench.lreps=*) lreps=${arg#*=} ;;
	bench.rreps=*) rreps=${arg#*=} ;;
	bench.suites=*) suites=${arg#*=} ;;
	bench.trace=*) trace=${arg#*=} ;;
	esac
done

bb=/bench/busybox
sysd=/sys/bus/pci/devices
info() { echo "BENCH-I $*"; }
now() { local t=$EPOCHREALTIME; echo "${t/./}"; }
driver_of() {
	local l
	l=$(readlink "$sysd/$1/driver" 2>/dev/null) || { echo none; return; }
	echo "${l##*/}"
}

# Every e1000e (8086:10d3) and every modern virtio-net (1af4:1041), in address order.
nics=() vnics=()
for d in "$sysd"/*; do
	case "$(cat "$d/vendor"):$(cat "$d/device")" in
	0x8086:0x10d3) nics+=("${d##*/}") ;;
	0x1af4:0x1041) vnics+=("${d##*/}") ;;
	esac
done

echo
info kernel "$(uname -r)"
info cpus "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
info pci_devices "$(find "$sysd" -mindepth 1 -maxdepth 1 | wc -l)"
info e1000e "${#nics[@]}"
info virtio-net "${#vnics[@]}"
info iommu_groups "$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)"
info vfio-bind "$(vfio-bind --version 2>&1 | head -n 1)"
info driverctl "$(dpkg-query -W -f '${Version}' driverctl)"
info dpdk "$(dpkg-query -W -f '${Version}' dpdk)"
info python3 "$(python3 --version 2>&1)"
info busybox "$($bb 2>&1 | head -n 1)"
info reps "cycle $reps, list $lreps, restore $rreps"
info aslr "randomize_va_space=$(cat /proc/sys/kernel/randomize_va_space)"

# No tool pays for loading a module inside the timings.
modprobe vfio-pci
modprobe e1000e_vfio_pci
udevadm settle

# timed SUITE TOOL REP PHASE COMMAND...: runs COMMAND once, prints its time.
timed() {
	local suite=$1 tool=$2 rep=$3 phase=$4 t0 t1 rc=0
	shift 4
	t0=$(now)
	"$@" >/dev/null 2>/tmp/bench.err || rc=$?
	t1=$(now)
	echo "BENCH-S $suite $tool $rep $phase $((t1 - t0))"
	[ "$rc" -eq 0 ] || echo "BENCH-E $suite $tool $rep $phase exit $rc: $(head -c 200 /tmp/bench.err | tr '\n' ' ')"
}

# The floor: the three writes, from a static shell, as a person would type them.
floor_to() { # DRIVER DEV...
	# shellcheck disable=SC2016 # expanded by the inner shell
	$bb sh -c 'drv=$1; shift; for d; do
		echo "$drv" >/sys/bus/pci/devices/$d/driver_override
		echo "$d" >/sys/bus/pci/devices/$d/driver/unbind
		echo "$d" >/sys/bus/pci/drivers/$drv/bind
	done' sh "$@"
}
floor_back() { # HOST_DRIVER DEV...
	# shellcheck disable=SC2016 # expanded by the inner shell
	$bb sh -c 'drv=$1; shift; for d; do
		echo >/sys/bus/pci/devices/$d/driver_override
		echo "$d" >/sys/bus/pci/devices/$d/driver/unbind
		echo "$d" >/sys/bus/pci/drivers/$drv/bind
	done' sh "$@"
}

# check SUITE TOOL REP PHASE WANT DEV...: every DEV on driver WANT, else say so and put
# it back by hand (untimed), so one failure does not spoil the rest.
check() {
	local suite=$1 tool=$2 rep=$3 phase=$4 want=$5 d got
	shift 5
	for d; do
		got=$(driver_of "$d")
		[ "$got" = "$want" ] && continue
		echo "BENCH-E $suite $tool $rep $phase $d is on '$got', not '$want'"
		case $want in
		*vfio*) ;;
		*)
			echo >"$sysd/$d/driver_override"
			[ "$got" = none ] || echo "$d" >"$sysd/$d/driver/unbind"
			echo "$d" >"/sys/bus/pci/drivers/$want/bind"
			;;
		esac
	done
}

rotate() { # N LIST...: LIST rotated left by N
	local n=$1
	shift
	local a=("$@")
	n=$((n % ${#a[@]}))
	echo "${a[@]:n}" "${a[@]:0:n}"
}

variant=e1000e-vfio-pci

cycle_one() { # TOOL REP DEV
	local tool=$1 rep=$2 d=$3 to=vfio-pci
	case $tool in
	floor)
		timed cycle "$tool" "$rep" bind floor_to vfio-pci "$d"
		check cycle "$tool" "$rep" bind vfio-pci "$d"
		timed cycle "$tool" "$rep" back floor_back e1000e "$d" ;;
	floor-variant)
		to=$variant
		timed cycle "$tool" "$rep" bind floor_to "$variant" "$d"
		check cycle "$tool" "$rep" bind "$to" "$d"
		timed cycle "$tool" "$rep" back floor_back e1000e "$d" ;;
	vfio-bind)
		timed cycle "$tool" "$rep" bind vfio-bind -q -d vfio-pci "$d"
		check cycle "$tool" "$rep" bind vfio-pci "$d"
		timed cycle "$tool" "$rep" back vfio-bind -q --unbind "$d" ;;
	vfio-bind-nosave)
		timed cycle "$tool" "$rep" bind vfio-bind -q --no-save -d vfio-pci "$d"
		check cycle "$tool" "$rep" bind vfio-pci "$d"
		timed cycle "$tool" "$rep" back vfio-bind -q --unbind "$d" ;;
	vfio-bind-search)
		to=$variant
		timed cycle "$tool" "$rep" bind vfio-bind -q "$d"
		check cycle "$tool" "$rep" bind "$to" "$d"
		timed cycle "$tool" "$rep" back vfio-bind -q --unbind "$d" ;;
	driverctl)
		timed cycle "$tool" "$rep" bind driverctl set-override "$d" vfio-pci
		check cycle "$tool" "$rep" bind vfio-pci "$d"
		timed cycle "$tool" "$rep" back driverctl unset-override "$d" ;;
	dpdk-devbind)
		timed cycle "$tool" "$rep" bind dpdk-devbind.py -b vfio-pci "$d"
		check cycle "$tool" "$rep" bind vfio-pci "$d"
		timed cycle "$tool" "$rep" back dpdk-devbind.py -b e1000e "$d" ;;
	esac
	check cycle "$tool" "$rep" back e1000e "$d"
}

case ,$suites, in
*,start,*)
	# What a start costs before any work: an empty program linked statically (at a fixed
	# address) and dynamically (PIE, libc), and vfio-bind printing its version. Then
	# the dynamic ones again with address-space randomization off: TCG keys the code it
	# translated by virtual address, so a program that loads elsewhere each run has
	# all of it translated again.
	aslr=$(cat /proc/sys/kernel/randomize_va_space)
	for rep in $(seq 0 "$reps"); do
		for tool in $(rotate "$rep" busybox static dynamic true vfio-bind dynamic-fixed vfio-bind-fixed); do
			case $tool in
			busybox) cmd=($bb true) ;;
			static) cmd=(/bench/nothing-static) ;;
			dynamic | dynamic-fixed) cmd=(/bench/nothing-dynamic) ;;
			true) cmd=(/bin/true) ;;
			vfio-bind | vfio-bind-fixed) cmd=(vfio-bind --version) ;;
			esac
			case $tool in
			*-fixed) echo 0 >/proc/sys/kernel/randomize_va_space ;;
			esac
			[ "$rep" = 0 ] || timed start "$tool" "$rep" run "${cmd[@]}"
			echo "$aslr" >/proc/sys/kernel/randomize_va_space
		done
	done
	;;
esac

case ,$suites, in
*,cycle,*)
	dev=${nics[0]}
	info cycle_device "$dev" "$(driver_of "$dev")"
	# One untimed round first: page cache, the tools' first start.
	for tool in floor floor-variant vfio-bind vfio-bind-nosave vfio-bind-search driverctl dpdk-devbind; do
		cycle_one "$tool" 0 "$dev" | sed 's/^BENCH-S /BENCH-W /'
	done
	for rep in $(seq 1 "$reps"); do
		for tool in $(rotate "$rep" floor vfio-bind driverctl dpdk-devbind floor-variant vfio-bind-search vfio-bind-nosave); do
			cycle_one "$tool" "$rep" "$dev"
		done
	done
	# Where vfio-bind's time goes: one bind and one unbind under strace (untimed), its
	# summary and the calls that took 10 ms or more.
	for phase in bind back; do
		if [ "$phase" = bind ]; then cmd=(vfio-bind -q -d vfio-pci "$dev"); else cmd=(vfio-bind -q --unbind "$dev"); fi
		strace -f -T -tt -o /tmp/trace.txt "${cmd[@]}" >/dev/null 2>&1
		awk -v p="$phase" '{ t = $NF; gsub(/[<>]/, "", t) } t + 0 >= 0.01 { print "BENCH-T " p " slow " $0 }' /tmp/trace.txt
		[ "$trace" = 0 ] || sed "s/^/BENCH-T $phase all /" /tmp/trace.txt
		info trace_"$phase" "$(wc -l </tmp/trace.txt) calls," \
			"$(grep -c 'openat(' /tmp/trace.txt) openat," \
			"first $(awk 'NR == 1 { print $2 }' /tmp/trace.txt) last $(awk 'END { print $2 }' /tmp/trace.txt)"
		# The same again for the summary: the device put back first, untimed.
		if [ "$phase" = bind ]; then floor_back e1000e "$dev"; else floor_to vfio-pci "$dev"; fi
		strace -f -c -o /tmp/trace.c "${cmd[@]}" >/dev/null 2>&1
		sed "s/^/BENCH-T $phase summary /" /tmp/trace.c
		grep -o '("/[^"]*"' /tmp/trace.txt | awk -F/ '{ print $2 "/" $3 "/" $4 }' |
			sort | uniq -c | sort -rn | head -n 12 | sed "s/^/BENCH-T $phase paths /"
	done
	check cycle trace 0 back e1000e "$dev"
	;;
esac

case ,$suites, in
*,list,*)
	for rep in $(seq 0 "$lreps"); do
		for tool in $(rotate "$rep" vfio-bind vfio-bind-json driverctl dpdk-devbind); do
			case $tool in
			vfio-bind) cmd=(vfio-bind --list) ;;
			vfio-bind-json) cmd=(vfio-bind --list --json) ;;
			driverctl) cmd=(driverctl list-devices) ;;
			dpdk-devbind) cmd=(dpdk-devbind.py --status) ;;
			esac
			if [ "$rep" = 0 ]; then
				info list_lines "$tool" "$("${cmd[@]}" 2>/dev/null | wc -l)"
			else
				timed list "$tool" "$rep" run "${cmd[@]}"
			fi
		done
	done
	;;
esac

case ,$suites, in
*,restore,*)
	if [ "${#vnics[@]}" -lt 32 ]; then
		echo "BENCH-E restore - 0 setup only ${#vnics[@]} virtio-net, 32 needed"
	else
		rdevs=("${vnics[@]:0:32}")
		info restore_devices "${#rdevs[@]}" "${rdevs[0]}" "${rdevs[31]}"
		# The saved state: what "vfio-bind -d vfio-pci" writes for each device. Kept
		# aside, and put back before every --restore.
		rm -rf /etc/vfio-bind.d /run/bench-saved
		vfio-bind -q -d vfio-pci "${rdevs[@]}" >/dev/null 2>/tmp/bench.err ||
			echo "BENCH-E restore setup 0 bind $(head -c 200 /tmp/bench.err | tr '\n' ' ')"
		check restore setup 0 bind vfio-pci "${rdevs[@]}"
		cp -a /etc/vfio-bind.d /run/bench-saved
		info restore_saved_files "$(find /run/bench-saved -type f | wc -l)"
		floor_back virtio-pci "${rdevs[@]}"
		check restore setup 0 back virtio-pci "${rdevs[@]}"
		for rep in $(seq 1 "$rreps"); do
			for tool in $(rotate "$rep" floor vfio-bind); do
				rm -rf /etc/vfio-bind.d
				cp -a /run/bench-saved /etc/vfio-bind.d
				sync
				case $tool in
				floor) timed restore floor "$rep" run floor_to vfio-pci "${rdevs[@]}" ;;
				vfio-bind) timed restore vfio-bind "$rep" run vfio-bind -q --restore ;;
				esac
				check restore "$tool" "$rep" run vfio-pci "${rdevs[@]}"
				floor_back virtio-pci "${rdevs[@]}"
				check restore "$tool" "$rep" back virtio-pci "${rdevs[@]}"
			done
		done
	fi
	;;
esac
echo "BENCH-DONE"
