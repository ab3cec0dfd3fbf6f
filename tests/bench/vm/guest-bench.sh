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
#   batch    (its own boot: QEMU's edu devices on the test driver vb_slow, whose probe
#            and remove sleep 200 ms, and virtio-net NICs) the first N of each, for
#            each N of bench.bsizes: all bound to vfio-pci and handed back in one go,
#            by the floor one device after the other and side by side, vfio-bind
#            with its default jobs and with --jobs 1, driverctl (one call a device),
#            dpdk-devbind.py (one call); N saved devices put on vfio-pci by udev's
#            rule from add events (coldplug) and by one vfio-bind --restore. On the
#            NICs only the floors and vfio-bind, and on both these two again with
#            udev's queue stopped while they run. Also prints, for the edu devices,
#            BENCH-F SUITE TOOL REP PHASE N: the most of vb_slow's probes and removes
#            that slept at once during that command; and for every sample
#            BENCH-U SUITE TOOL REP PHASE MICROSECONDS: how long udev took after it to
#            be idle again.
# Repetitions from the kernel command line: bench.reps=N (cycle), bench.lreps=N (list),
# bench.rreps=N (restore), bench.breps=N (batch), bench.bsizes=16,64 (batch sizes),
# bench.btools=parallel,vfio-bind,... (only these of the batch's tools; default all),
# bench.bdelay=MS (vb_slow's sleep in each probe and remove; default 200),
# bench.suites=cycle,list,restore.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

reps=15 lreps=5 rreps=3 breps=3 bsizes=16,64 btools= bdelay=200 suites=cycle,list,restore trace=0
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	bench.reps=*) reps=${arg#*=} ;;
	bench.lreps=*) lreps=${arg#*=} ;;
	bench.rreps=*) rreps=${arg#*=} ;;
	bench.breps=*) breps=${arg#*=} ;;
	bench.bsizes=*) bsizes=${arg#*=} ;;
	bench.btools=*) btools=${arg#*=} ;;
	bench.bdelay=*) bdelay=${arg#*=} ;;
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

# Every e1000e (8086:10d3), every modern virtio-net (1af4:1041) and every edu device
# (1234:11e8), in address order.
nics=() vnics=() edus=()
for d in "$sysd"/*; do
	case "$(cat "$d/vendor"):$(cat "$d/device")" in
	0x8086:0x10d3) nics+=("${d##*/}") ;;
	0x1af4:0x1041) vnics+=("${d##*/}") ;;
	0x1234:0x11e8) edus+=("${d##*/}") ;;
	esac
done

echo
info kernel "$(uname -r)"
info cpus "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
info pci_devices "$(find "$sysd" -mindepth 1 -maxdepth 1 | wc -l)"
info e1000e "${#nics[@]}"
info virtio-net "${#vnics[@]}"
[ "${#edus[@]}" -eq 0 ] || info edu "${#edus[@]}"
info iommu_groups "$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)"
info vfio-bind "$(vfio-bind --version 2>&1 | head -n 1)"
info driverctl "$(dpkg-query -W -f '${Version}' driverctl)"
info dpdk "$(dpkg-query -W -f '${Version}' dpdk)"
info python3 "$(python3 --version 2>&1)"
info busybox "$($bb 2>&1 | head -n 1)"
info reps "cycle $reps, list $lreps, restore $rreps, batch $breps (sizes $bsizes)"
info aslr "randomize_va_space=$(cat /proc/sys/kernel/randomize_va_space)"

# No tool pays for loading a module inside the timings. The variant is in the image of
# the NIC boot only (the batch boot's has vb_slow instead).
modprobe vfio-pci
[ "${#nics[@]}" -eq 0 ] || modprobe e1000e_vfio_pci
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
	[ ${#a[@]} -gt 0 ] || return 0
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
case ,$suites, in
*,batch,*)
	# Many devices in one go. The edu devices' host driver vb_slow sleeps 200 ms in each
	# probe and remove, as real drivers wait for firmware or a reset; one after the other
	# a batch of N takes N times that, side by side about once. vb_slow's max_in_flight
	# counts the most probes and removes that slept at once.
	vbp=/sys/module/vb_slow/parameters
	conf=/etc/vfio-bind.d
	drivers=/sys/bus/pci/drivers
	IFS=, read -ra sizes <<<"$bsizes"

	# The floor's way back for the batches: the override cleared, unbind, and
	# drivers_probe (the kernel picks the host driver), one device after the other.
	floor_probe() { # DEV...
		# shellcheck disable=SC2016 # expanded by the inner shell
		$bb sh -c 'for d; do
			echo >/sys/bus/pci/devices/$d/driver_override
			echo "$d" >/sys/bus/pci/devices/$d/driver/unbind
			echo "$d" >/sys/bus/pci/drivers_probe
		done' sh "$@"
	}
	# The parallel floor: the same writes, each device's three in a background job of
	# the static shell, then wait.
	pfloor_to() { # DRIVER DEV...
		# shellcheck disable=SC2016
		$bb sh -c 'drv=$1; shift; for d; do {
			echo "$drv" >/sys/bus/pci/devices/$d/driver_override
			echo "$d" >/sys/bus/pci/devices/$d/driver/unbind
			echo "$d" >/sys/bus/pci/drivers/$drv/bind
		} & done; wait' sh "$@"
	}
	pfloor_probe() { # DEV...
		# shellcheck disable=SC2016
		$bb sh -c 'for d; do {
			echo >/sys/bus/pci/devices/$d/driver_override
			echo "$d" >/sys/bus/pci/devices/$d/driver/unbind
			echo "$d" >/sys/bus/pci/drivers_probe
		} & done; wait' sh "$@"
	}
	# driverctl takes one device a call.
	driverctl_set() { # DEV...
		local d rc=0
		for d; do driverctl set-override "$d" vfio-pci || rc=1; done
		return "$rc"
	}
	driverctl_unset() { # DEV...
		local d rc=0
		for d; do driverctl unset-override "$d" || rc=1; done
		return "$rc"
	}
	# A pause without a process: a read with a timeout on a FIFO nobody writes.
	mkfifo /run/bench-nap
	exec {nap}<>/run/bench-nap
	# coldplug DEV...: an add event for each DEV through udev, as at boot (the rule
	# sets the saved override and runs vfio-bind --restore for the device); returns
	# once all are on vfio-pci. udevadm waits for the events, their RUN programs
	# included; the loop after it only makes sure.
	coldplug() {
		local d paths=()
		for d; do paths+=("$sysd/$d"); done
		udevadm trigger --action=add --settle "${paths[@]}" || return 1
		all_vfio "$@"
	}
	# boot_like DEV...: what a boot does with them: the add events triggered, and
	# vfio-bind.service's one --restore started beside udev's workers as soon as the
	# trigger is done (After=systemd-udev-trigger.service); until every DEV is on vfio-pci.
	boot_like() {
		local d paths=()
		for d; do paths+=("$sysd/$d"); done
		udevadm trigger --action=add "${paths[@]}" || return 1
		vfio-bind -q --restore
		all_vfio "$@"
	}
	# all_vfio DEV...: waits (30 s at most) until every DEV is on vfio-pci.
	all_vfio() {
		local d i left
		for ((i = 0; i < 1500; i++)); do
			left=0
			for d; do [ -e "$drivers/vfio-pci/$d" ] || { left=1; break; }; done
			[ "$left" = 1 ] || return 0
			read -r -t 0.02 -u "$nap" || :
		done
		return 1
	}
	# on_all SUITE TOOL REP PHASE DRIVER DEV...: every DEV on DRIVER (no process
	# started); else says which are not and puts them there by hand, untimed.
	on_all() {
		local suite=$1 tool=$2 rep=$3 phase=$4 want=$5 d bad=()
		shift 5
		for d; do [ -e "$drivers/$want/$d" ] || bad+=("$d"); done
		[ "${#bad[@]}" -gt 0 ] || return 0
		echo "BENCH-E $suite $tool $rep $phase ${#bad[@]} of $# not on $want: ${bad[*]:0:4}"
		for d in "${bad[@]}"; do
			if [ "$want" = vfio-pci ]; then echo vfio-pci; else echo; fi >"$sysd/$d/driver_override"
			[ ! -e "$sysd/$d/driver" ] || echo "$d" >"$sysd/$d/driver/unbind"
			echo "$d" >"$drivers/$want/bind"
		done 2>/dev/null
	}
	inflight_reset() { echo 0 >"$vbp/max_in_flight"; }
	inflight() { # SUITE TOOL REP PHASE: vb_slow's high-water mark since the reset
		local m
		read -r m <"$vbp/max_in_flight"
		echo "BENCH-F $1 $2 $3 $4 $m"
	}

	# btimed SUITE TOOL REP PHASE COMMAND...: timed, with udev idle before it (untimed)
	# and then the time udev takes to be idle again printed as
	# BENCH-U SUITE TOOL REP PHASE MICROSECONDS: the work the command left to udev (the
	# rule runs "vfio-bind --udev-owner" for every VFIO group node that appears, a NIC's
	# interface comes and goes), so that no sample pays for the one before. With hold=1
	# udev's queue is stopped while COMMAND runs: the command alone, the events after.
	hold=0
	btimed() {
		local t0 t1
		udevadm settle
		[ "$hold" = 0 ] || udevadm control --stop-exec-queue
		timed "$@"
		[ "$hold" = 0 ] || udevadm control --start-exec-queue
		t0=$(now)
		udevadm settle
		t1=$(now)
		echo "BENCH-U $1 $2 $3 $4 $((t1 - t0))"
	}

	# batch_one SUITE TOOL REP HOST DEV...: all DEVs to vfio-pci with TOOL and back to
	# HOST, each way timed. SUITE batch: edu devices (HOST vb_slow, its counters read
	# too); batchnet: NICs (virtio-pci).
	batch_one() {
		local suite=$1 tool=$2 rep=$3 host=$4 n to=() back=() hold=0
		shift 4
		n=$#
		case $tool in
		udev | udev-wide | udev-empty | restore | boot)
			batch_boot "$tool" "$rep" "$@"
			return ;;
		dry-run)
			# What a run decides before it writes anything: vfio-bind --dry-run,
			# the devices put where each way starts by the parallel floor (untimed).
			btimed "$suite" "$tool" "$rep" "bind-$n" vfio-bind -q -n -d vfio-pci "$@"
			pfloor_to vfio-pci "$@"
			on_all "$suite" "$tool" "$rep" "bind-$n" vfio-pci "$@"
			btimed "$suite" "$tool" "$rep" "back-$n" vfio-bind -q -n --unbind "$@"
			pfloor_probe "$@"
			on_all "$suite" "$tool" "$rep" "back-$n" "$host" "$@"
			return ;;
		serial) to=(floor_to vfio-pci) back=(floor_probe) ;;
		parallel) to=(pfloor_to vfio-pci) back=(pfloor_probe) ;;
		vfio-bind) to=(vfio-bind -q -d vfio-pci) back=(vfio-bind -q --unbind) ;;
		parallel-held) hold=1 to=(pfloor_to vfio-pci) back=(pfloor_probe) ;;
		vfio-bind-held) hold=1 to=(vfio-bind -q -d vfio-pci) back=(vfio-bind -q --unbind) ;;
		vfio-bind-nosave) to=(vfio-bind -q --no-save -d vfio-pci) back=(vfio-bind -q --unbind) ;;
		vfio-bind-j1) to=(vfio-bind -q -J 1 -d vfio-pci) back=(vfio-bind -q -J 1 --unbind) ;;
		driverctl) to=(driverctl_set) back=(driverctl_unset) ;;
		dpdk-devbind) to=("$dpdk" -b vfio-pci) back=("$dpdk" -b "$host") ;;
		esac
		[ "$suite" != batch ] || inflight_reset
		btimed "$suite" "$tool" "$rep" "bind-$n" "${to[@]}" "$@"
		[ "$suite" != batch ] || inflight "$suite" "$tool" "$rep" "bind-$n"
		on_all "$suite" "$tool" "$rep" "bind-$n" vfio-pci "$@"
		[ "$suite" != batch ] || inflight_reset
		btimed "$suite" "$tool" "$rep" "back-$n" "${back[@]}" "$@"
		[ "$suite" != batch ] || inflight "$suite" "$tool" "$rep" "back-$n"
		on_all "$suite" "$tool" "$rep" "back-$n" "$host" "$@"
	}

	# batch_boot TOOL REP DEV...: the DEVs on vb_slow with their bindings saved (as
	# "vfio-bind -d vfio-pci" saved them, kept aside in /run/bench-saved-N) put on
	# vfio-pci by
	#   udev       add events through udev: coldplug at boot, the rule's vfio-bind
	#              --restore DEV in udevd's workers, as many at once as it allows
	#   udev-wide  the same with udevd allowed a worker for every event
	#   restore    one vfio-bind --restore of all saved bindings, as vfio-bind.service
	#              runs it after coldplug
	#   boot       both as a boot has them: the add events, and vfio-bind.service's
	#              --restore beside udev's workers
	# then handed back by the parallel floor (untimed), the saved files removed. And
	#   udev-empty the add events with nothing saved: what udev costs by itself (the
	#              rule finds no file; nothing moves)
	batch_boot() {
		local tool=$1 rep=$2 n d paths=()
		shift 2
		n=$#
		rm -f "$conf"/*
		if [ "$tool" = udev-empty ]; then
			for d; do paths+=("$sysd/$d"); done
			inflight_reset
			btimed batch "$tool" "$rep" "boot-$n" udevadm trigger --action=add --settle "${paths[@]}"
			inflight batch "$tool" "$rep" "boot-$n"
			on_all batch "$tool" "$rep" "boot-$n" vb_slow "$@"
			return
		fi
		cp -a "/run/bench-saved-$n/." "$conf/"
		sync
		[ "$tool" != udev-wide ] || udevadm control --children-max=$((n + 64))
		inflight_reset
		case $tool in
		udev | udev-wide) btimed batch "$tool" "$rep" "boot-$n" coldplug "$@" ;;
		restore) btimed batch "$tool" "$rep" "boot-$n" vfio-bind -q --restore ;;
		boot) btimed batch "$tool" "$rep" "boot-$n" boot_like "$@" ;;
		esac
		inflight batch "$tool" "$rep" "boot-$n"
		[ "$tool" != udev-wide ] || udevadm control --children-max="$udev_children"
		on_all batch "$tool" "$rep" "boot-$n" vfio-pci "$@"
		pfloor_probe "$@"
		on_all batch "$tool" "$rep" "boot-back-$n" vb_slow "$@"
		rm -f "$conf"/*
	}

	if [ ! -d "$vbp" ] || [ "${#edus[@]}" -eq 0 ]; then
		echo "BENCH-E batch - 0 setup no edu devices on vb_slow (${#edus[@]} edu)"
	else
		echo "$bdelay" >"$vbp/delay_ms"
		on_vb=("$drivers"/vb_slow/0000:*)
		info batch_vb_slow "delay_ms $(cat "$vbp/delay_ms"), ${#on_vb[@]} devices on it"
		on_all batch setup 0 start vb_slow "${edus[@]}"
		# udevd's workers by default (systemd 252): 2 x CPUs + 16, at most one per
		# 128 MiB of memory, at least 10. The udev-wide row raises it for a while.
		mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
		udev_children=$(($(nproc) * 2 + 16))
		mem_limit=$((mem_kb / 131072))
		[ "$mem_limit" -ge 10 ] || mem_limit=10
		[ "$mem_limit" -ge "$udev_children" ] || udev_children=$mem_limit
		info batch_udev_children_max "$udev_children"
		# What "udevadm settle" costs with nothing to wait for: the floor of BENCH-U.
		idle=()
		for i in 1 2 3 4 5; do
			udevadm settle
			t0=$(now)
			udevadm settle
			t1=$(now)
			idle+=($(((t1 - t0) / 1000)))
		done
		info batch_settle_idle_ms "${idle[*]}"
		info batch_udevd "$(udevadm --version)"
		# dpdk-devbind.py binds only the device classes it lists (network, crypto, ...):
		# the edu device (class ff) is "Unknown device" to it. Its copy here lists the
		# edu device too; nothing else of it changes.
		dpdk=/bench/dpdk-devbind-edu.py
		cls=$(cat "$sysd/${edus[0]}/class")
		cls=${cls:2:2}
		sed "s/^misc_devices = \[/edu_device = {'Class': '$cls', 'Vendor': '1234', 'Device': '11e8', 'SVendor': None, 'SDevice': None}\nmisc_devices = [edu_device, /" \
			"$(command -v dpdk-devbind.py)" >"$dpdk"
		chmod 0755 "$dpdk"
		grep -q '^misc_devices = \[edu_device, ' "$dpdk" || echo "BENCH-E batch dpdk-devbind 0 setup the copy lists no edu device"
		rc=0
		out=$(dpdk-devbind.py -b vfio-pci "${edus[0]}" 2>&1) || rc=$?
		info batch_dpdk_stock "exit $rc: $(echo "$out" | tail -n 1)"
		on_all batch dpdk-stock 0 setup vb_slow "${edus[0]}"
		mkdir -p "$conf"
		rm -f "$conf"/*
		# The saved bindings for each size: what "vfio-bind -d vfio-pci" saves.
		for n in "${sizes[@]}"; do
			[ "$n" -le "${#edus[@]}" ] || continue
			devs=("${edus[@]:0:n}")
			vfio-bind -q -d vfio-pci "${devs[@]}" >/dev/null 2>/tmp/bench.err ||
				echo "BENCH-E batch setup 0 save-$n $(head -c 200 /tmp/bench.err | tr '\n' ' ')"
			on_all batch setup 0 "save-$n" vfio-pci "${devs[@]}"
			rm -rf "/run/bench-saved-$n"
			cp -a "$conf" "/run/bench-saved-$n"
			info batch_saved "$n devices, $(find "/run/bench-saved-$n" -type f | wc -l) files"
			pfloor_probe "${devs[@]}"
			on_all batch setup 0 "save-back-$n" vb_slow "${devs[@]}"
			rm -f "$conf"/*
		done
		edu_tools=(serial parallel vfio-bind vfio-bind-nosave vfio-bind-j1 driverctl dpdk-devbind dry-run
			parallel-held vfio-bind-held udev udev-wide udev-empty restore boot)
		net_tools=(serial parallel vfio-bind vfio-bind-j1 parallel-held vfio-bind-held)
		# bench.btools: a quicker run of only some of them (the serial ones take minutes).
		if [ -n "$btools" ]; then
			picked() { local t; for t; do case ,$btools, in *,"$t",*) echo "$t" ;; esac; done; }
			mapfile -t edu_tools < <(picked "${edu_tools[@]}")
			mapfile -t net_tools < <(picked "${net_tools[@]}")
		fi
		# Repetition 0 is a warm-up at the first size (page cache, the tools' first
		# start), its lines BENCH-W, BENCH-WF and BENCH-WU.
		for rep in $(seq 0 "$breps"); do
			for n in "${sizes[@]}"; do
				[ "$rep" -gt 0 ] || [ "$n" = "${sizes[0]}" ] || continue
				if [ "$n" -gt "${#edus[@]}" ]; then
					[ "$rep" != 1 ] || echo "BENCH-E batch - $rep setup only ${#edus[@]} edu devices, $n wanted"
				else
					for tool in $(rotate "$rep" "${edu_tools[@]}"); do
						if [ "$rep" = 0 ]; then
							batch_one batch "$tool" 0 vb_slow "${edus[@]:0:n}" | sed 's/^BENCH-S /BENCH-W /; s/^BENCH-F /BENCH-WF /; s/^BENCH-U /BENCH-WU /'
						else
							batch_one batch "$tool" "$rep" vb_slow "${edus[@]:0:n}"
						fi
					done
				fi
				if [ "$n" -gt "${#vnics[@]}" ]; then
					[ "$rep" != 1 ] || echo "BENCH-E batchnet - $rep setup only ${#vnics[@]} virtio-net, $n wanted"
				else
					for tool in $(rotate "$rep" "${net_tools[@]}"); do
						if [ "$rep" = 0 ]; then
							batch_one batchnet "$tool" 0 virtio-pci "${vnics[@]:0:n}" | sed 's/^BENCH-S /BENCH-W /; s/^BENCH-F /BENCH-WF /; s/^BENCH-U /BENCH-WU /'
						else
							batch_one batchnet "$tool" "$rep" virtio-pci "${vnics[@]:0:n}"
						fi
					done
				fi
			done
		done
		# Where the time of vfio-bind's largest batches goes: one run each way under
		# strace -f (untimed, and slower for it), as a timeline from its start: the first
		# and the last write to a device's sysfs files (driver_override, unbind, bind,
		# drivers_probe), its exit; the system calls that took longest in all.
		n=${sizes[-1]}
		for set in edu net; do
			if [ "$set" = edu ]; then
				[ "$n" -le "${#edus[@]}" ] || continue
				devs=("${edus[@]:0:n}") host=vb_slow
			else
				[ "$n" -le "${#vnics[@]}" ] || continue
				devs=("${vnics[@]:0:n}") host=virtio-pci
			fi
			for phase in bind back; do
				if [ "$phase" = bind ]; then
					cmd=(vfio-bind -q -d vfio-pci "${devs[@]}")
				else
					cmd=(vfio-bind -q --unbind "${devs[@]}")
				fi
				udevadm settle
				strace -f -y -tt -T -o /tmp/trace.txt "${cmd[@]}" >/dev/null 2>&1
				if [ "$phase" = bind ]; then
					on_all batch trace 0 "$set-bind-$n" vfio-pci "${devs[@]}"
				else
					on_all batch trace 0 "$set-back-$n" "$host" "${devs[@]}"
				fi
				awk -v what="$set $phase $n" '
					function t(s, a) { split(s, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
					{ now = t($2) } NR == 1 { t0 = now }
					# A write that blocks shows twice: "<unfinished ...>", then
					# "<... write resumed>" when it returns.
					$3 ~ /^write\(/ && $3 ~ /\/(driver_override|unbind|bind|drivers_probe)>/ {
						if (!first) first = now
						if ($NF ~ /^<[0-9.]+>$/) { w = $NF; gsub(/[<>]/, "", w); end = now + w }
						else { open[$1] = 1; end = now }
						if (end > last) last = end
					}
					$3 == "<..." && $4 == "write" && open[$1] { open[$1] = 0; if (now > last) last = now }
					END { printf "BENCH-I batch_trace %s: %d calls, first sysfs write at +%.0f ms, last done at +%.0f ms, exit at +%.0f ms\n",
						what, NR, (first - t0) * 1000, (last - t0) * 1000, (now - t0) * 1000 }' /tmp/trace.txt
				awk -v what="$set-$phase-$n" '
					{ name = $3; if (name ~ /^<\.\.\./) name = $4; sub(/\(.*/, "", name)
					  w = $NF; if (w !~ /^<[0-9.]+>$/) next; gsub(/[<>]/, "", w)
					  calls[name]++; sum[name] += w; if (w > max[name]) max[name] = w }
					END { for (c in calls) printf "BENCH-T batch %s %s %d calls, %.3f s in all, longest %.3f s\n", what, c, calls[c], sum[c], max[c] }' \
					/tmp/trace.txt | sort -t, -k2 -rn | head -n 12
			done
			# Back where the suites left them.
			if [ "$set" = edu ]; then on_all batch trace 0 end vb_slow "${devs[@]}"; else on_all batch trace 0 end virtio-pci "${devs[@]}"; fi
		done
		rm -f "$conf"/*
	fi
	;;
esac
echo "BENCH-DONE"
