#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The libraries vfio-bind opens with dlopen() (libkmod.so.2, libudev.so.1) are
# no DT_NEEDED entries, so ldd and packaging tools cannot see them. Checks that
# the binary declares each in a .note.dlopen ELF note (owner FDO, type
# 0x407c0c0a, a JSON array of objects with soname, feature, description,
# priority), and that a library that cannot be loaded is reported with the
# Debian package to install.
#
#   test-dlopen.sh VFIO_BIND_BINARY
#
# VFIO_BIND_WRAPPER (valgrind, say) goes before the binary, not this script.
#
# Skips (77) only without readelf; python3 reads the notes.

set -u
bin=$1
command -v readelf >/dev/null 2>&1 || {
	echo "SKIP: no readelf (binutils)"
	exit 77
}
command -v python3 >/dev/null 2>&1 || {
	echo "FAIL: python3 is needed to read the notes"
	exit 1
}
T=$(mktemp -d "${TMPDIR:-/tmp}/test-dlopen.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
rc=0
fail() {
	echo "FAIL: $*"
	rc=1
}

# --notes lists them. readelf 2.40 does not know the type ("Unknown note type:
# (0x407c0c0a)") and exits 1 for it, so its status says nothing here; newer
# ones name it.
readelf --notes "$bin" >"$T/notes" 2>&1
n=$(grep -ciE '^ *FDO +0x[0-9a-f]+[[:space:]].*(0x407c0c0a|dlopen)' "$T/notes")
[ "$n" -ge 2 ] || fail "readelf --notes shows $n FDO notes of type 0x407c0c0a, not 2: $(cat "$T/notes")"

# Their payloads, from the section's bytes.
readelf --wide -x .note.dlopen "$bin" >"$T/hex" 2>&1 || fail "no .note.dlopen section"
python3 - "$T/hex" <<'PY' || fail "the .note.dlopen notes are wrong"
import json, re, struct, sys

data = bytearray()
for line in open(sys.argv[1]):
    m = re.match(r"\s*0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})", line)
    if m:
        data += bytes.fromhex("".join(m.group(1).split()))
if not data:
    sys.exit("no bytes in the section dump")

def pad(n):
    return (n + 3) & ~3

found = {}
off = 0
while off < len(data):
    namesz, descsz, ntype = struct.unpack_from("<III", data, off)
    name = bytes(data[off + 12:off + 12 + namesz])
    desc = bytes(data[off + 12 + pad(namesz):off + 12 + pad(namesz) + descsz])
    off += 12 + pad(namesz) + pad(descsz)
    if name != b"FDO\0" or ntype != 0x407C0C0A:
        sys.exit("a note of owner %r, type %#x" % (name, ntype))
    if not desc.endswith(b"\0") or b"\0" in desc[:-1]:
        sys.exit("payload not one NUL-terminated string: %r" % desc)
    text = desc[:-1].decode("utf-8")
    if any(ord(c) < 0x20 for c in text) or "\\u" in text:
        sys.exit("control character or \\u escape in %r" % text)
    deps = json.loads(text)
    if not isinstance(deps, list) or not deps:
        sys.exit("not a non-empty JSON array: %r" % text)
    for dep in deps:
        if not isinstance(dep, dict):
            sys.exit("not an object: %r" % dep)
        sonames = dep.get("soname")
        if not isinstance(sonames, list) or not sonames or \
           not all(isinstance(s, str) and s for s in sonames):
            sys.exit("soname is not an array of names: %r" % dep)
        if dep.get("priority") not in ("required", "recommended", "suggested"):
            sys.exit("priority %r" % dep.get("priority"))
        for key in ("feature", "description"):
            if not isinstance(dep.get(key), str) or not dep[key]:
                sys.exit("no %s: %r" % (key, dep))
        for s in sonames:
            found[s] = dep["priority"]
for soname in ("libkmod.so.2", "libudev.so.1"):
    if soname not in found:
        sys.exit("no note names %s (found %s)" % (soname, sorted(found)))
print("notes:", ", ".join("%s (%s)" % kv for kv in sorted(found.items())))
PY

# A library that cannot be loaded (an empty file found first) is reported with
# its package. --list against an empty tree reads nothing of this machine.
mkdir -p "$T/lib" "$T/sys" "$T/config" "$T/run"
: >"$T/lib/libkmod.so.2"
LD_LIBRARY_PATH=$T/lib VFIO_BIND_SYSFS=$T/sys VFIO_BIND_CONFIG_DIR=$T/config \
	VFIO_BIND_RUN_DIR=$T/run ${VFIO_BIND_WRAPPER:-} "$bin" --list >"$T/out" 2>"$T/err"
grep -q 'cannot load libkmod.so.2' "$T/err" && grep -q 'install the package libkmod2' "$T/err" ||
	fail "a missing libkmod.so.2 is not reported with its package: $(cat "$T/err")"
: >"$T/lib/libudev.so.1"
LD_LIBRARY_PATH=$T/lib VFIO_BIND_SYSFS=$T/sys VFIO_BIND_CONFIG_DIR=$T/config \
	VFIO_BIND_RUN_DIR=$T/run ${VFIO_BIND_WRAPPER:-} "$bin" --list >"$T/out" 2>"$T/err"
grep -q 'cannot load libudev.so.1' "$T/err" && grep -q 'install the package libudev1' "$T/err" ||
	fail "a missing libudev.so.1 is not reported with its package: $(cat "$T/err")"
exit $rc
