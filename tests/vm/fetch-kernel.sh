#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-kernel.sh [CACHE_DIR]
#
# Gets Debian's current amd64 kernel (image, headers, kbuild) for the VM tests and
# unpacks it under CACHE_DIR/KVER, once: later runs reuse it. Prints that directory
# (a root with boot/, lib/modules/KVER/ and usr/src/linux-headers-KVER/) on stdout.
# Exits 77 (meson's "skipped") with a one-line reason when the kernel cannot be had.

set -eu

cache=${1:-/var/cache/vfio-bind-tests}

say() { echo "fetch-kernel: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }

mkdir -p "$cache" || skip "cannot create cache directory '$cache'"
cache=$(cd "$cache" && pwd)

# Two test runs sharing the cache (CI, a developer) must not unpack over each other.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache/.lock"
	flock 9
fi

# Newest complete tree already in the cache, for when apt cannot tell us anything.
cached_tree() {
	for stamp in "$cache"/*/.complete; do
		[ -e "$stamp" ] && dirname "$stamp"
	done | sort -V | tail -n 1
}

# The bzImage's kernel, uncompressed: QEMU boots that ELF straight through its PVH
# entry point (CONFIG_PVH=y), which skips the firmware and the in-guest decompression,
# about 7 of the 14 seconds a TCG boot takes. Found by its compressor's magic.
# Nothing is lost if this fails: run-vm.sh boots the vmlinuz then.
# extract_vmlinux ROOT KVER
extract_vmlinux() {
	zimage=$1/boot/vmlinuz-$2
	vmlinux=$1/boot/vmlinux-$2
	[ -s "$vmlinux" ] && return 0
	for fmt in 'xz \xfd7zXZ\x00' 'zstd \x28\xb5\x2f\xfd' 'gzip \x1f\x8b\x08'; do
		tool=${fmt% *}
		command -v "$tool" >/dev/null 2>&1 || continue
		# shellcheck disable=SC2013 # offsets are plain numbers
		for off in $(LC_ALL=C grep -obUaP "${fmt#* }" "$zimage" | cut -d: -f1); do
			# The image goes on past the stream, so the decompressor complains; the
			# ELF magic tells whether what came out is the kernel.
			tail -c +$((off + 1)) "$zimage" | "$tool" -dc 2>/dev/null >"$vmlinux.tmp" || true
			if [ "$(head -c 4 "$vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				mv "$vmlinux.tmp" "$vmlinux"
				return 0
			fi
		done
	done
	rm -f "$vmlinux.tmp"
	say "cannot extract vmlinux from $zimage; the VM will boot the vmlinuz"
}

# Name of the package that a package depends on, matching a glob (apt-cache depends
# lists one "Depends: NAME" line per dependency).
depends_on() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: \([^ <>]*\)$/\1/p' |
		while read -r dep; do
			# shellcheck disable=SC2254 # $2 is a glob on purpose
			case $dep in $2) echo "$dep"; break ;; esac
		done
}

command -v apt-cache >/dev/null 2>&1 || skip "apt-cache not found (not a Debian host)"

# The metapackage's candidate names the current image and pins its exact version:
# "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)". One call, as apt-cache is slow.
meta=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
	sed -n 's/^Depends: \(linux-image-[^ ]*-amd64\) (= \([^)]*\)).*/\1 \2/p')
image=${meta% *}
version=${meta#* }
# Without apt (offline, no lists) an older cached kernel is still worth testing on.
fall_back() {
	tree=$(cached_tree)
	[ -n "$tree" ] || skip "$1"
	say "$1; using cached $(basename "$tree")"
	extract_vmlinux "$tree" "$(basename "$tree")"
	echo "$tree"
	exit 0
}

[ -n "$meta" ] || fall_back "apt-cache cannot resolve linux-image-amd64 (run apt-get update)"
kver=${image#linux-image-}
tree=$cache/$kver
if [ -f "$tree/.complete" ] && [ "$(cat "$tree/.complete")" = "$version" ]; then
	say "using cached $kver ($version)"
	extract_vmlinux "$tree" "$(basename "$tree")"
	echo "$tree"
	exit 0
fi

debs=$cache/debs
mkdir -p "$debs"
headers=linux-headers-$kver
common=$(depends_on "$headers" 'linux-headers-*-common')
kbuild=$(depends_on "$headers" 'linux-kbuild-*')
{ [ -n "$common" ] && [ -n "$kbuild" ]; } || fall_back "apt-cache cannot resolve the dependencies of $headers"

say "downloading $image $headers $common $kbuild ($version)"
# apt-get download saves into the current directory.
(cd "$debs" && apt-get download -q "$image=$version" "$headers=$version" \
	"$common=$version" "$kbuild" >/dev/null 2>"$debs/apt.log") ||
	fall_back "apt-get download of $image failed: $(grep -m1 '^E:' "$debs/apt.log" || echo 'see apt.log')"

tmp=$cache/.unpack-$kver
rm -rf "$tmp"
mkdir -p "$tmp"
for pkg in "$image" "$headers" "$common" "$kbuild"; do
	deb=$(find "$debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	[ -n "$deb" ] || skip "downloaded package $pkg not found in $debs"
	dpkg-deb -x "$deb" "$tmp"
done

# The headers' Makefile includes the common one by its absolute /usr/src path; point it
# at the unpacked copy so modules build against the cache without installing anything.
hdr=$tmp/usr/src/$headers
[ -f "$hdr/Makefile" ] || skip "$headers has no Makefile"
sed -i "s|^include /usr/src/|include $tree/usr/src/|" "$hdr/Makefile"

extract_vmlinux "$tmp" "$kver"
# modules.dep for the whole kernel, so make-initramfs.sh can resolve dependencies.
depmod -b "$tmp" "$kver"

rm -rf "$tree"
mv "$tmp" "$tree"
echo "$version" >"$tree/.complete"
# The unpacked tree is the cache; the 85 MB of packages are not needed again.
rm -rf "$debs"
say "unpacked $kver ($version) into $tree"
echo "$tree"
