#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Batches: the devices of one call move side by side, are reported in the
# order given, and each is still its own transaction; runs on different
# devices go at once, two on one device take turns. The fake's delays stand
# for slow drivers (a second or more to remove some NIC functions): wall
# times are compared with the sum of the delays, with wide margins.

. "$(dirname "$0")/harness.sh"

# N more e1000e NICs, 0000:05:01.0 ..., each in its own IOMMU group, on e1000e.
nics() { # N
	# fake_device's own variables are global: none of them here.
	nic_i=1
	NICS=
	while [ "$nic_i" -le "$1" ]; do
		nic=$(printf '0000:05:%02x.0' "$nic_i")
		fake_device "$S" "$nic" pci0000:00 8086 10d3 8086 a01f 020000 $((20 + nic_i))
		fake_bind "$S" "$nic" e1000e
		NICS="$NICS $nic"
		nic_i=$((nic_i + 1))
	done
}

# Under valgrind (tests/valgrind.sh sets VFIO_BIND_WRAPPER) a start takes seconds:
# wall times are not judged there, and the slow runs are slower.
timed_checks() {
	[ -z "${VFIO_BIND_WRAPPER:-}" ]
}
SLOW_MS=2000
[ -z "${VFIO_BIND_WRAPPER:-}" ] || SLOW_MS=10000

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# vb, timed: $ms.
vb_timed() {
	_t0=$(ms_now)
	vb "$@"
	ms=$(($(ms_now) - _t0))
}

assert_all_on() { # DRV DEV...
	_want=$1
	shift
	for _d in "$@"; do
		assert_driver "$_d" "$_want"
	done
}

# The PID that holds DEV's lock (its run is moving it), once one does.
wait_for_override() { # DEV VALUE
	_i=0
	while [ $_i -lt 600 ]; do
		[ "$(fake_override_of "$S" "$1")" = "$2" ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

lock_holder() { # DEV
	_i=0
	while [ $_i -lt 600 ]; do
		_p=$(cut -d' ' -f1 "$T/run/dev/pci-$1" 2>/dev/null)
		if [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null; then
			echo "$_p"
			return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

test_batch_moves_slow_devices_side_by_side() {
	nics 8
	fake_driver_remove_delay "$S" e1000e 500
	# shellcheck disable=SC2086
	vb_timed $NICS
	assert_rc 0
	# shellcheck disable=SC2086
	assert_all_on e1000e-vfio-pci $NICS
	# One after the other would take 8 x 500 ms.
	! timed_checks || [ "$ms" -lt 2000 ] || fail "8 devices with a 500 ms remove took $ms ms: not side by side"
	echo "8 slow devices bound in $ms ms (one after the other: 4000 ms or more)"
	fake_driver_probe_delay "$S" e1000e 500
	# shellcheck disable=SC2086
	vb_timed --unbind $NICS
	assert_rc 0
	# shellcheck disable=SC2086
	assert_all_on e1000e $NICS
	! timed_checks || [ "$ms" -lt 2000 ] || fail "8 hand-backs with a 500 ms probe took $ms ms: not side by side"
}

test_jobs_1_moves_one_after_the_other() {
	nics 4
	fake_driver_remove_delay "$S" e1000e 300
	# shellcheck disable=SC2086
	vb_timed --jobs 1 $NICS
	assert_rc 0
	# shellcheck disable=SC2086
	assert_all_on e1000e-vfio-pci $NICS
	[ "$ms" -ge 1200 ] || fail "--jobs 1 moved 4 devices with a 300 ms remove in $ms ms"
	# Two at a time: about two removes.
	# shellcheck disable=SC2086
	vb --unbind $NICS
	assert_rc 0
	# shellcheck disable=SC2086
	vb_timed -J 2 $NICS
	assert_rc 0
	[ "$ms" -ge 600 ] || fail "-J 2 moved 4 devices with a 300 ms remove in $ms ms"
}

test_jobs_must_be_a_count() {
	remember
	for bad in 0 -1 x 1x 4097 ""; do
		vb --jobs "$bad" $E1000E
		assert_rc 2
		assert_says "jobs"
	done
	vb --list --jobs 2
	assert_rc 2
	assert_unchanged
}

test_batch_reports_in_the_order_given() {
	nics 6
	set -- $NICS
	# The first named is the slowest, the last the quickest: done in reverse.
	fake_unbind_delay "$S" "$1" 900
	fake_unbind_delay "$S" "$3" 600
	fake_unbind_delay "$S" "$5" 300
	order="$3 $1 $6 $5 $2 $4"
	# shellcheck disable=SC2086
	vb $order
	assert_rc 0
	got=$(cut -d: -f1-3 "$T/out" | tr '\n' ' ')
	[ "$got" = "$order " ] || fail "reported '$got', asked '$order'"
	# shellcheck disable=SC2086
	vb --json --unbind $order
	assert_rc 0
	got=$(grep -o '"device": *"[^"]*"' "$T/out" | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ')
	[ "$got" = "$order " ] || fail "JSON in the order '$got', asked '$order'"
}

test_one_failing_device_among_many_only_it_rolls_back() {
	nics 6
	set -- $NICS
	fake_driver_remove_delay "$S" e1000e 200
	fake_probe_fail "$S" e1000e-vfio-pci EIO "$4"
	# shellcheck disable=SC2086
	vb $NICS
	assert_rc 1
	assert_driver "$4" e1000e
	assert_override "$4" "(null)"
	for d in "$1" "$2" "$3" "$5" "$6"; do
		assert_driver "$d" e1000e-vfio-pci
		[ -n "$(ls "$T/config" | grep -F "$d")" ] || fail "$d is not saved"
	done
	[ -z "$(ls "$T/config" | grep -F "$4")" ] || fail "the failed $4 is saved"
	assert_says "$4.*put back on e1000e"
}

test_group_member_failing_puts_every_member_back() {
	fake_device "$S" 0000:05:01.0 pci0000:00 8086 10d3 8086 a01f 020000 30
	fake_device "$S" 0000:05:01.1 pci0000:00 8086 10d3 8086 a01f 020000 30
	fake_device "$S" 0000:05:01.2 pci0000:00 8086 10d3 8086 a01f 020000 30
	for d in 0000:05:01.0 0000:05:01.1 0000:05:01.2; do fake_bind "$S" $d e1000e; done
	fake_driver_remove_delay "$S" e1000e 300
	fake_probe_fail "$S" e1000e-vfio-pci EIO 0000:05:01.2
	vb_timed --group 0000:05:01.0
	assert_rc 1
	assert_all_on e1000e 0000:05:01.0 0000:05:01.1 0000:05:01.2
	for d in 0000:05:01.0 0000:05:01.1 0000:05:01.2; do
		assert_override $d "(null)"
	done
	[ -z "$(ls "$T/config")" ] || fail "something was saved: $(ls "$T/config")"
	rm "$S/.fake/drivers/e1000e-vfio-pci/probe_fail@0000:05:01.2"
	vb_timed --group 0000:05:01.1
	assert_rc 0
	assert_all_on e1000e-vfio-pci 0000:05:01.0 0000:05:01.1 0000:05:01.2
	! timed_checks || [ "$ms" -lt 800 ] || fail "3 members with a 300 ms remove took $ms ms: not side by side"
}

# A batch judges a group where it puts every member, not half-way.
test_dry_run_judges_a_group_on_the_batch() {
	fake_device "$S" 0000:05:01.0 pci0000:00 8086 10d3 8086 a01f 020000 30
	fake_device "$S" 0000:05:01.1 pci0000:00 8086 10d3 8086 a01f 020000 30
	fake_bind "$S" 0000:05:01.0 e1000e
	fake_bind "$S" 0000:05:01.1 e1000e
	vb --dry-run 0000:05:01.0
	assert_rc 0
	assert_says "not viable"
	vb --dry-run --json 0000:05:01.0 0000:05:01.1
	assert_rc 0
	! grep -q '"group_viable": *false' "$T/out" || fail "judged on today's drivers: $(cat "$T/out")"
	grep -q '"group_viable": *true' "$T/out" || fail "no viability said"
	vb 0000:05:01.0 0000:05:01.1
	assert_rc 0
	! grep -qi "not viable" "$T/err" || fail "a warning about the group the batch moved whole"
}

test_the_same_device_twice_moves_once() {
	vb $E1000E $E1000E
	assert_rc 0
	assert_driver $E1000E e1000e-vfio-pci
	[ "$(grep -c "^$E1000E: e1000e -> e1000e-vfio-pci" "$T/out")" = 1 ] || fail "moved twice?"
	assert_stdout_says "$E1000E: already on e1000e-vfio-pci"
}

test_ctrl_c_starts_no_more_devices_and_leaves_none_half_moved() {
	nics 6
	set -- $NICS
	fake_driver_remove_delay "$S" e1000e $SLOW_MS
	# shellcheck disable=SC2086
	(FAKE_OUT=$T/bg vb --jobs 2 $NICS; echo "$rc" >"$T/bg.rc") &
	bg=$!
	pid=$(lock_holder "$1") || fail "the run never locked $1"
	# The first two in their remove (the override is written just before the unbind).
	wait_for_override "$1" e1000e-vfio-pci && wait_for_override "$2" e1000e-vfio-pci ||
		fail "the first two never started"
	sleep 0.2
	kill -INT "$pid"
	wait "$bg"
	rc=$(cat "$T/bg.rc")
	assert_rc 1
	moved=0
	for d in $NICS; do
		drv=$(fake_driver_of "$S" "$d")
		ovr=$(fake_override_of "$S" "$d")
		case "$drv/$ovr" in
		"e1000e-vfio-pci/e1000e-vfio-pci") moved=$((moved + 1)) ;;
		"e1000e/(null)") ;;
		*) fail "$d is half-moved: driver $drv, override $ovr" ;;
		esac
	done
	[ "$moved" -eq 2 ] || fail "$moved devices moved, want the 2 in flight"
	grep -q "stopping" "$T/bg.err" || fail "the run did not say it stops"
	[ "$(grep -c "stopped before it was started" "$T/bg.err")" -eq 4 ] ||
		fail "not every device left was reported: $(cat "$T/bg.err")"
	[ -z "$(ls "$T/run/txn" 2>/dev/null)" ] || fail "notes left: $(ls "$T/run/txn")"
}

# slow_run_holds_e1000e: a run binding e1000e slowly in the background, its
# output in $T/bg, holding e1000e's lock: $bg its job, $pid the vfio-bind run.
slow_run_holds_e1000e() {
	fake_unbind_delay "$S" $E1000E $SLOW_MS
	FAKE_OUT=$T/bg vb --no-save $E1000E &
	bg=$!
	pid=$(lock_holder $E1000E) || fail "the slow run never locked $E1000E"
}

test_runs_on_different_devices_go_at_once() {
	slow_run_holds_e1000e
	vb_timed --no-save $VIRTIO
	assert_rc 0
	assert_driver $VIRTIO vfio-pci
	! grep -qi "waiting" "$T/err" || fail "it waited: $(cat "$T/err")"
	kill -0 "$pid" 2>/dev/null || fail "the slow run was over before the other ended ($ms ms)"
	wait "$bg"
	assert_driver $E1000E e1000e-vfio-pci
}

test_runs_on_the_same_device_take_turns() {
	slow_run_holds_e1000e
	vb --no-save $E1000E
	assert_rc 0
	assert_says "$E1000E: waiting for PID $pid \(.*vfio-bind.*\), which is moving it"
	assert_stdout_says "$E1000E: already on e1000e-vfio-pci"
	wait "$bg"
	grep -q "$E1000E: e1000e -> e1000e-vfio-pci" "$T/bg" || fail "the first run: $(cat "$T/bg" "$T/bg.err")"
}

test_a_device_held_past_the_timeout_is_left_the_others_move() {
	mkdir -p "$T/run/dev"
	flock -o "$T/run/dev/pci-$E1000E" sleep 8 >/dev/null 2>&1 </dev/null &
	fl=$!
	sleep 0.3
	VFIO_BIND_LOCK_TIMEOUT=1 vb --no-save $VIRTIO $E1000E
	kill "$fl"
	assert_rc 1
	assert_says "gave up after 1 s waiting for the lock.*which is moving $E1000E"
	assert_says "$E1000E: not moved: another run kept it locked past the lock timeout"
	assert_driver $E1000E e1000e
	assert_override $E1000E "(null)"
	assert_driver $VIRTIO vfio-pci
	assert_stdout_says "$VIRTIO: virtio-pci -> vfio-pci"
}

# Two devices held when the batch starts: the one let go in time moves, only the
# other is given up (in lock order the long-held one is waited for first).
test_only_the_device_held_past_the_timeout_is_given_up() {
	mkdir -p "$T/run/dev"
	flock -o "$T/run/dev/pci-$E1000E" sleep 8 >/dev/null 2>&1 </dev/null &
	fl1=$!
	flock -o "$T/run/dev/pci-$VIRTIO" sleep 1 >/dev/null 2>&1 </dev/null &
	fl2=$!
	sleep 0.3
	VFIO_BIND_LOCK_TIMEOUT=2 vb --no-save $VIRTIO $E1000E
	kill "$fl1" "$fl2" 2>/dev/null
	assert_rc 1
	assert_says "$E1000E: not moved: another run kept it locked past the lock timeout"
	assert_driver $E1000E e1000e
	assert_driver $VIRTIO vfio-pci
	assert_stdout_says "$VIRTIO: virtio-pci -> vfio-pci"
}

# A batch does not wait for a device another run is moving before it moves the
# rest: the free ones move at once, the held one after that run lets it go.
test_a_batch_moves_the_free_devices_while_another_run_holds_one() {
	slow_run_holds_e1000e
	(
		FAKE_OUT=$T/second vb --no-save $E1000E $VIRTIO
		exit "$rc"
	) &
	second=$!
	_i=0
	while [ "$(fake_driver_of "$S" $VIRTIO)" != vfio-pci ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	assert_driver $VIRTIO vfio-pci
	kill -0 "$pid" 2>/dev/null || fail "the slow run was over before the free device moved"
	wait "$bg"
	wait "$second"
	rc=$?
	assert_rc 0
	grep -q "$E1000E: waiting for PID $pid" "$T/second.err" ||
		fail "it did not say it waits: $(cat "$T/second.err")"
	grep -q "$E1000E: already on e1000e-vfio-pci" "$T/second" ||
		fail "the held device, afterwards: $(cat "$T/second" "$T/second.err")"
	grep -q "$VIRTIO: virtio-pci -> vfio-pci" "$T/second" || fail "the free device: $(cat "$T/second")"
	[ "$(sed -n 's/^\(0000:[^:]*:[^:]*\): .*/\1/p' "$T/second" | tr '\n' ' ')" = "$E1000E $VIRTIO " ] ||
		fail "not reported in argument order: $(cat "$T/second")"
}

# Ctrl-C while the batch waits for a device another run holds: the wait ends at once.
test_ctrl_c_while_waiting_for_a_held_device_ends_the_wait() {
	slow_run_holds_e1000e
	(
		FAKE_OUT=$T/second vb --no-save $VIRTIO $E1000E
		echo "$rc" >"$T/second.rc"
	) &
	second=$!
	_i=0
	until grep -q "$E1000E: waiting for PID $pid" "$T/second.err" 2>/dev/null; do
		[ $_i -lt 200 ] || fail "the second run never waited: $(cat "$T/second.err")"
		sleep 0.05
		_i=$((_i + 1))
	done
	# The second run held the free device's lock before it waited, and left its PID there.
	spid=$(cut -d' ' -f1 "$T/run/dev/pci-$VIRTIO")
	kill -INT "$spid"
	wait "$second"
	kill -0 "$pid" 2>/dev/null || fail "the slow run was over before the stopped run ended"
	rc=$(cat "$T/second.rc")
	assert_rc 1
	assert_driver $VIRTIO vfio-pci
	grep -q "$E1000E: not moved: the run was stopped" "$T/second.err" ||
		fail "the held device is not reported as not moved: $(cat "$T/second.err")"
	wait "$bg"
	assert_driver $E1000E e1000e-vfio-pci
}

E1000E=0000:00:02.0
VIRTIO=0000:00:03.0

fake_main "$@"
