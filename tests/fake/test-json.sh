#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# --json on a bind: one document, one object per device, with its outcome.

. "$(dirname "$0")/harness.sh"

test_bind_json_reports_status_and_error() {
	fake_probe_fail "$S" vfio-pci EINVAL 0000:00:03.0
	vb --json 0000:00:02.0 0000:00:03.0 0000:00:1f.7
	assert_rc 1
	assert_driver 0000:00:02.0 e1000e-vfio-pci
	assert_driver 0000:00:03.0 virtio-pci
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	python3 - "$T/out" <<'PY' || fail "JSON content is wrong"
import json, sys

doc = json.load(open(sys.argv[1]))
assert isinstance(doc, list), "not an array"
devs = {d.get("device"): d for d in doc}
bad = []
for name in ("0000:00:02.0", "0000:00:03.0", "0000:00:1f.7"):
    if name not in devs:
        bad.append(f"{name}: missing")
        continue
    for key in ("bus", "device", "driver", "driver_override", "iommu_group",
                "vfio_driver", "vfio_module", "status", "error"):
        if key not in devs[name]:
            bad.append(f"{name}: no key {key!r}")
ok, failed, missing = (devs.get(n, {}) for n in
                       ("0000:00:02.0", "0000:00:03.0", "0000:00:1f.7"))
if ok.get("error") is not None or ok.get("driver") != "e1000e-vfio-pci":
    bad.append(f"0000:00:02.0: {ok}")
if ok.get("status") in (None, "failed", "error"):
    bad.append(f"0000:00:02.0: status {ok.get('status')!r}")
if not failed.get("error") or failed.get("driver") != "virtio-pci":
    bad.append(f"0000:00:03.0: error {failed.get('error')!r}, "
               f"driver {failed.get('driver')!r}")
if not missing.get("error"):
    bad.append(f"0000:00:1f.7: error {missing.get('error')!r}")
if failed.get("status") == ok.get("status"):
    bad.append("the same status for a bound and a failed device")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

# Machine output stays on stdout: nothing but the document there.
test_json_stdout_is_only_the_document() {
	vb --json --dry-run 0000:00:02.0
	assert_rc 0
	command -v python3 >/dev/null 2>&1 || skip "no python3"
	python3 -m json.tool "$T/out" >/dev/null || fail "stdout is not JSON"
}

fake_main "$@"
