#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --list shows what the binary knows of each device and changes nothing.

. "$(dirname "$0")/harness.sh"

test_list_shows_driver_override_group_and_choice() {
	fake_set_override "$S" 0000:00:04.0 nvme
	remember
	vb --list
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	for dev in 0000:00:00.0 0000:00:02.0 0000:00:03.0 0000:00:04.0 \
		0000:00:1c.0 0000:03:00.1; do
		assert_stdout_says "$dev"
	done
	for word in e1000e virtio-pci mlx5_core pcieport \
		'e1000e[-_]vfio[-_]pci' 'mlx5_vfio_pci' 'vfio[-_]pci'; do
		assert_stdout_says "$word"
	done
}

# One object per device, with the keys the command line contract promises.
test_list_json_is_valid_and_complete() {
	fake_set_override "$S" 0000:00:04.0 nvme
	remember
	vb --list --json
	assert_rc 0
	assert_unchanged
	assert_no_kernel_calls
	if ! command -v python3 >/dev/null 2>&1; then
		echo "NOTE: no python3: JSON not validated"
		assert_stdout_says '^\['
		return
	fi
	python3 -m json.tool "$T/out" >/dev/null || fail "stdout is not JSON"
	python3 - "$T/out" <<'PY' || fail "JSON content is wrong"
import json, sys

doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list), "not an array"
devs = {d.get("device"): d for d in doc}
bad = []

def want(dev, key, *ok):
    d = devs.get(dev)
    if d is None:
        bad.append(f"{dev}: missing")
        return
    v = d.get(key, "<absent>")
    if v not in ok and str(v) not in [str(o) for o in ok]:
        bad.append(f"{dev}: {key}={v!r}, want one of {ok!r}")

for dev in devs.values():
    for key in ("bus", "device", "driver", "driver_override", "iommu_group",
                "vfio_driver", "vfio_module"):
        if key not in dev:
            bad.append(f"{dev.get('device')}: no key {key!r}")
    for key in ("status", "error"):
        if key not in dev:
            print(f"NOTE: {dev.get('device')}: no key {key!r} in --list")
want("0000:00:02.0", "bus", "pci")
want("0000:00:02.0", "driver", "e1000e")
want("0000:00:02.0", "driver_override", None)
want("0000:00:02.0", "iommu_group", 1)
# A driver's name is known once its module is loaded; null until then.
want("0000:00:02.0", "vfio_driver", "e1000e-vfio-pci", None)
want("0000:00:02.0", "vfio_module", "e1000e_vfio_pci")
want("0000:03:00.1", "driver", "mlx5_core")
want("0000:03:00.1", "iommu_group", 5)
want("0000:03:00.1", "vfio_driver", "mlx5_vfio_pci")
want("0000:03:00.1", "vfio_module", "mlx5_vfio_pci")
want("0000:00:03.0", "driver", "virtio-pci")
want("0000:00:03.0", "vfio_driver", "vfio-pci", None)
want("0000:00:03.0", "vfio_module", "vfio_pci")
want("0000:00:00.0", "driver", None)
want("0000:00:04.0", "driver_override", "nvme")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

test_list_json_shows_no_group_without_iommu() {
	fake_iommu_off "$S"
	remember
	vb --list --json 0000:00:02.0
	assert_rc 0
	assert_unchanged
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	python3 - "$T/out" <<'PY' || fail "iommu_group is not null"
import json, sys
doc = json.load(open(sys.argv[1]))
assert len(doc) == 1 and doc[0]["device"] == "0000:00:02.0", doc
assert doc[0]["iommu_group"] is None, doc[0]["iommu_group"]
PY
}

test_list_named_device_only() {
	vb --list 0000:00:03.0
	assert_rc 0
	assert_stdout_says '0000:00:03.0'
	if grep -q '0000:00:02.0' "$T/out"; then
		fail "lists devices it was not asked for"
	fi
}


# Lookups are shared by devices with the same modalias: with many models
# (more than the first table holds) each row still shows its own model's
# choice.
test_list_many_models_each_get_their_own_choice() {
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	fake_device "$S" 0000:00:1d.0 pci0000:00 1b36 000c 1b36 0000 060400 90
	fake_bind "$S" 0000:00:1d.0 pcieport
	for i in $(seq 0 39); do
		bus=$(printf '%02x' $((0x10 + i)))
		fake_device "$S" "0000:$bus:00.0" 0000:00:1d.0 1234 "$(printf '%04x' "$i")" 0000 0000 ff0000 $((200 + 3 * i))
		fake_device "$S" "0000:$bus:00.1" 0000:00:1d.0 8086 10d3 8086 a01f 020000 $((201 + 3 * i))
		fake_device "$S" "0000:$bus:00.2" 0000:00:1d.0 15b3 101e 15b3 0001 020000 $((202 + 3 * i))
	done
	vb --list --json
	assert_rc 0
	python3 - "$T/out" <<'PY' || fail "a device shows another model's choice"
import json, sys
want = {"1234": "vfio_pci", "8086": "e1000e_vfio_pci", "15b3": "mlx5_vfio_pci"}
rows = [d for d in json.load(open(sys.argv[1])) if d["device"].endswith(":00.0") or
        d["device"].endswith(":00.1") or d["device"].endswith(":00.2")]
rows = [d for d in rows if 0x10 <= int(d["device"][5:7], 16) < 0x10 + 40]
assert len(rows) == 120, len(rows)
for d in rows:
    vendor = d["id"].split(":")[0]
    assert d["vfio_module"] == want[vendor], d
    assert ("Intel" in (d["vendor_name"] or "")) == (vendor == "8086") or d["vendor_name"] is None, d
PY
}

# Each group's viability is asked once a listing and shared by its members:
# every member still shows its own group's answer.
test_list_group_viability_is_each_groups_own() {
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	fake_device "$S" 0000:00:1d.0 pci0000:00 1b36 000c 1b36 0000 060400 90
	fake_bind "$S" 0000:00:1d.0 pcieport
	for fn in 0 1 2; do
		# 300: nothing bound; 301: one member on a host driver; 302: on vfio-pci.
		fake_device "$S" "0000:10:00.$fn" 0000:00:1d.0 8086 10d3 8086 a01f 020000 300
		fake_device "$S" "0000:11:00.$fn" 0000:00:1d.0 8086 10d3 8086 a01f 020000 301
		fake_device "$S" "0000:12:00.$fn" 0000:00:1d.0 8086 10d3 8086 a01f 020000 302
		fake_bind "$S" "0000:12:00.$fn" vfio-pci
	done
	fake_bind "$S" 0000:11:00.2 e1000e
	remember
	vb --list --json
	assert_rc 0
	assert_unchanged
	python3 - "$T/out" <<'PY' || fail "a device shows another group's viability"
import json, sys
want = {"300": True, "301": False, "302": True}
rows = {d["device"]: d for d in json.load(open(sys.argv[1]))}
for bus, group in (("10", "300"), ("11", "301"), ("12", "302")):
    for fn in "012":
        d = rows["0000:%s:00.%s" % (bus, fn)]
        assert str(d["iommu_group"]) == group, d
        assert d["group_viable"] is want[group], d
PY
}

# A device removed while the listing runs (its bus link still read, its
# directory gone) is not shown and is no error: the listing shows the others.
test_list_skips_a_device_gone_meanwhile() {
	ln -s ../../../devices/pci0000:00/0000:00:1f.7 "$S/bus/pci/devices/0000:00:1f.7"
	vb --list
	assert_rc 0
	assert_stdout_says '0000:00:02.0'
	assert_stdout_says '0000:00:03.0'
	if grep -q '0000:00:1f.7' "$T/out" "$T/err"; then
		fail "shows or complains about a device that is gone"
	fi
}

# What DPDK users pin and sort by: the NUMA node (none: -1 or no attribute)
# and the class in words, in JSON and in the table.
test_list_shows_numa_node_and_class_in_words() {
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	echo 1 >"$S/bus/pci/devices/0000:00:04.0/numa_node"
	vb --list --json
	assert_rc 0
	python3 - "$T/out" <<'PY' || fail "numa_node or class_name is wrong"
import json, sys
rows = {d["device"]: d for d in json.load(open(sys.argv[1]))}
assert rows["0000:00:04.0"]["numa_node"] == 1, rows["0000:00:04.0"]
assert rows["0000:00:04.0"]["class_name"] == "Non-Volatile memory controller", rows["0000:00:04.0"]
assert rows["0000:00:02.0"]["numa_node"] is None, rows["0000:00:02.0"]
assert rows["0000:00:02.0"]["class_name"] == "Ethernet controller", rows["0000:00:02.0"]
assert rows["0000:00:1c.0"]["class_name"] == "PCI bridge", rows["0000:00:1c.0"]
PY
	vb --list
	assert_stdout_says 'NUMA'
	assert_stdout_says '0000:00:04\.0 .* 1 .*Non-Volatile memory controller'
}

# --class keeps the PCI devices of one kind: the NICs, not the disk or bridges.
test_list_class_filter_keeps_one_kind() {
	vb --list --class net
	assert_rc 0
	assert_stdout_says '0000:00:02\.0'
	assert_stdout_says '0000:00:03\.0'
	if grep -Eq '0000:00:04\.0|0000:00:1c\.0|Host bridge' "$T/out"; then
		fail "--class net shows other kinds: $(cat "$T/out")"
	fi
	vb --list --class storage
	assert_rc 0
	assert_stdout_says '0000:00:04\.0'
	if grep -q '0000:00:02\.0' "$T/out"; then
		fail "--class storage shows a NIC"
	fi
}

test_class_filter_misuse_is_a_usage_error() {
	remember
	vb --list --class printers
	assert_rc 2
	assert_says "'printers' is not a device class \\(net storage gpu"
	vb --class net 0000:00:02.0
	assert_rc 2
	assert_says 'class only goes with --list'
	assert_unchanged
}

fake_main "$@"
