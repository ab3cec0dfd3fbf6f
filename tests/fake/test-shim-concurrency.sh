#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fake kernel itself under concurrent writers: as in the kernel, where a
# write holds only its device's lock, slow writes about two devices overlap
# in time and slow writes about one device take turns. Plain writers under
# the shim, each its own process; no binary needed.

FAKE_NO_BINARY=1
. "$(dirname "$0")/harness.sh"

E1000E=0000:00:02.0
NVME=0000:00:04.0
# A second e1000e NIC, made by the tests that need two devices of a driver.
E1000E2=0000:00:05.0
# One slow probe() or remove(). The bounds are loose for a loaded machine:
# overlapping writes must end within 1.5 delays, turns take at least 2.
MS=600

dev() {
	echo "$S/bus/pci/devices/$1"
}

drv() {
	echo "$S/bus/pci/drivers/$1"
}

# Two writers, each its own process under the shim, each one write() (dd) of
# VALUE to FILE: started together, or the second once the model's log
# matches the ERE WAIT (non-empty), i.e. once the first is in its slow part
# (10 s at most). rc is 0 when both writes succeeded; $ms is how long the
# two took in all.
two_writers() { # WAIT FILE1 VALUE1 FILE2 VALUE2
	shim_run sh -c '
		log=$1 wait=$2
		w() { printf %s "$2" | dd of="$1" conv=notrunc status=none; }
		t0=$(date +%s%N)
		w "$3" "$4" &
		p1=$!
		{
			n=0
			until [ -z "$wait" ] || grep -Eq -- "$wait" "$log"; do
				n=$((n + 1))
				[ $n -lt 500 ] || {
					echo "never logged: /$wait/" >&2
					exit 1
				}
				sleep 0.02
			done
			w "$5" "$6"
		} &
		p2=$!
		wait $p1
		r1=$?
		wait $p2
		r2=$?
		echo $((($(date +%s%N) - t0) / 1000000))
		[ $r1 = 0 ] && [ $r2 = 0 ]' sh "$S/.fake/log" "$@"
	ms=$(cat "$T/out")
}

ok() {
	[ "$rc" = 0 ] || fail "$fake_cmd failed"
}

overlapped() {
	[ "$ms" -lt $((MS * 3 / 2)) ] ||
		fail "the two writes took $ms ms, want less than $((MS * 3 / 2)) (one delay of $MS, overlapped)"
}

took_turns() {
	[ "$ms" -gt $((MS * 19 / 10)) ] ||
		fail "the two writes took $ms ms, want more than $((MS * 19 / 10)) (two delays of $MS, one after the other)"
}

# Line number of the first log line that matches ERE, 0 when none does.
log_line() { # ERE
	_n=$(grep -n -E -- "$1" "$S/.fake/log" | head -n 1 | cut -d: -f1)
	echo "${_n:-0}"
}

# The line matching ERE1 is logged before the one matching ERE2.
logged_before() { # ERE1 ERE2
	_a=$(log_line "$1") _b=$(log_line "$2")
	if [ "$_a" = 0 ] || [ "$_b" = 0 ] || [ "$_a" -gt "$_b" ]; then
		fail "the log does not show /$1/ before /$2/"
	fi
}

second_e1000e() {
	fake_device "$S" $E1000E2 pci0000:00 8086 10d3 8086 a01f 020000 6
	fake_bind "$S" $E1000E2 e1000e
}

test_shim_slow_unbinds_of_two_devices_overlap() {
	fake_unbind_delay "$S" $E1000E $MS
	fake_unbind_delay "$S" $NVME $MS
	two_writers "" "$(drv e1000e)/unbind" $E1000E "$(drv nvme)/unbind" $NVME
	ok
	overlapped
	assert_driver $E1000E -
	assert_driver $NVME -
	# Both removes began before either ended.
	logged_before "slow remove nvme $NVME" "unbind e1000e $E1000E \(slow\)"
	logged_before "slow remove e1000e $E1000E" "unbind nvme $NVME \(slow\)"
	# Each line says which process and thread, and when.
	grep -Evq '^\[[0-9]+\] .* <tid [0-9]+, [0-9]+ ms>$' "$S/.fake/log" &&
		fail "a log line without its thread and time"
	return 0
}

# The second write waits for the device's lock, then has its own slow call.
test_shim_slow_writes_about_one_device_take_turns() {
	fake_unbind_delay "$S" $E1000E $MS
	fake_probe_delay "$S" $E1000E $MS
	two_writers "slow remove e1000e $E1000E" \
		"$(drv e1000e)/unbind" $E1000E "$(drv e1000e)/bind" $E1000E
	ok
	took_turns
	assert_driver $E1000E e1000e
	logged_before "unbind e1000e $E1000E \(slow\)" "slow probe e1000e $E1000E"
}

# The same write twice: a probe that fails after its delay, so that each
# write has its slow call, whichever comes first.
test_shim_failing_slow_probes_of_one_device_take_turns() {
	fake_unbind "$S" $E1000E
	fake_probe_delay "$S" $E1000E $MS
	fake_probe_fail "$S" e1000e EIO $E1000E
	two_writers "" "$S/bus/pci/drivers_probe" $E1000E \
		"$S/bus/pci/drivers_probe" $E1000E
	ok
	took_turns
	assert_driver $E1000E -
	[ "$(grep -c "probe e1000e $E1000E: injected -EIO" "$S/.fake/log")" = 2 ] ||
		fail "want two failed probes"
}

test_shim_driver_delays_apply_to_each_device() {
	second_e1000e
	fake_driver_remove_delay "$S" e1000e $MS
	two_writers "" "$(drv e1000e)/unbind" $E1000E "$(drv e1000e)/unbind" $E1000E2
	ok
	overlapped
	assert_driver $E1000E -
	assert_driver $E1000E2 -
	grep -q "unbind e1000e $E1000E2 (slow)" "$S/.fake/log" ||
		fail "the driver's remove delay did not apply to $E1000E2"
	fake_driver_probe_delay "$S" e1000e $MS
	two_writers "" "$S/bus/pci/drivers_probe" $E1000E \
		"$(drv e1000e)/bind" $E1000E2
	ok
	overlapped
	assert_driver $E1000E e1000e
	assert_driver $E1000E2 e1000e
	grep -q "probe e1000e $E1000E2: bound (slow)" "$S/.fake/log" ||
		fail "the driver's probe delay did not apply to $E1000E2"
	# The device's own delay, 0 too, wins over its driver's.
	fake_unbind_delay "$S" $E1000E2 0
	: >"$S/.fake/log"
	shim_run sh -c 'printf %s "$2" | dd of="$1" conv=notrunc status=none' \
		sh "$(drv e1000e)/unbind" $E1000E2
	ok
	assert_driver $E1000E2 -
	grep -q "unbind e1000e $E1000E2 <" "$S/.fake/log" ||
		fail "the device's delay of 0 did not win over its driver's"
}

# As in the kernel: the driver link goes before a slow remove() and is there
# during a slow probe() (and goes again if the probe fails).
test_shim_slow_calls_show_the_links_as_the_kernel_does() {
	fake_unbind_delay "$S" $E1000E $MS
	fake_probe_delay "$S" $E1000E $MS
	shim_run sh -c '
		w() { printf %s "$2" | dd of="$1" conv=notrunc status=none; }
		see() {
			n=0
			until grep -q -- "$1" "$log"; do
				n=$((n + 1))
				[ $n -lt 500 ] || exit 1
				sleep 0.02
			done
			if [ -L "$dev/driver" ]; then echo bound; else echo unbound; fi
		}
		log=$1 dev=$2 drv=$3 name=$4
		w "$drv/unbind" "$name" &
		see "slow remove"
		wait $! || exit 1
		w "$drv/bind" "$name" &
		see "slow probe"
		wait $!' sh "$S/.fake/log" "$(dev $E1000E)" "$(drv e1000e)" $E1000E
	ok
	[ "$(tr '\n' ' ' <"$T/out")" = "unbound bound " ] ||
		fail "during the slow remove and probe the device was: $(tr '\n' ' ' <"$T/out"), want: unbound bound"
	assert_driver $E1000E e1000e
}

fake_main "$@"
