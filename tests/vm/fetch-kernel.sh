#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-kernel.sh [CACHE_DIR]
#
# Gets Debian's current amd64 kernel (image, headers, kbuild) for the VM tests and
# unpacks it under CACHE_DIR/KVER, once: later runs reuse it. Prints that directory
# (a root with boot/, lib/modules/KVER/ and usr/src/linux-headers-KVER/) on stdout.
# Exits 77 (meson's "skipped") with a one-line reason when the kernel cannot be had.
#
# VFIO_BIND_VM_KERNEL chooses the kernel: unset, empty or "default", the one this
# machine's apt offers (Debian 12's 6.1 on bookworm); a series such as "6.12", that
# series: from this machine's apt if its kernel is of that series, else from the
# backports suite of its release (bookworm-backports), read through an apt state of
# our own under CACHE_DIR/apt-CODENAME-backports: a sources file made from this
# machine's apt sources (the same archive and keyring; VFIO_BIND_VM_MIRROR overrides
# the archive), its own lists (apt-get update there, at most once a day) and package
# cache; the machine's own apt state is not touched. Such a tree records that apt
# configuration in KVER/.apt-config (a path), for whatever else needs a package of
# that kernel (platform/build-vfio.sh takes linux-source through it).

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

want=${VFIO_BIND_VM_KERNEL:-}
[ "$want" != default ] || want=
case $want in
'' | [0-9]*.[0-9]*) ;;
*) skip "VFIO_BIND_VM_KERNEL='$want' is not a kernel series such as 6.12" ;;
esac

# Newest complete kernel tree already in the cache (not a root of persist/, which has
# a .complete too), for when apt cannot tell us anything: one of the series asked for,
# or without one, of the machine's own apt (no .apt-config), never a backports kernel.
cached_tree() {
	for stamp in "$cache"/*/.complete; do
		[ -e "$stamp" ] || continue
		dir=$(dirname "$stamp")
		[ -f "$dir/boot/vmlinuz-$(basename "$dir")" ] || continue
		if [ -n "$want" ]; then
			case $(basename "$dir") in "$want".* | "$want"-*) echo "$dir" ;; esac
		else
			[ -e "$dir/.apt-config" ] || echo "$dir"
		fi
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
current_kernel() {
	meta=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends: \(linux-image-[^ ]*-amd64\) (= \([^)]*\)).*/\1 \2/p')
	image=${meta% *}
	version=${meta#* }
	kver=${image#linux-image-}
}
# Without apt (offline, no lists) an older cached kernel is still worth testing on.
fall_back() {
	tree=$(cached_tree)
	[ -n "$tree" ] || skip "$1"
	say "$1; using cached $(basename "$tree")"
	extract_vmlinux "$tree" "$(basename "$tree")"
	echo "$tree"
	exit 0
}
# of_series KVER: KVER is of the series asked for (6.12.95+deb12-amd64 is 6.12,
# 6.1.0-57-amd64 is 6.1), or none was asked for.
of_series() {
	case $1 in "$want".* | "$want"-*) return 0 ;; esac
	[ -z "$want" ]
}

# The archive and keyring this machine's apt takes its release from: the first
# deb822 stanza (Types with "deb", Suites with CODENAME, not "Enabled: no") of
# /etc/apt/sources.list.d/*.sources, then one-line "deb [signed-by=KEY] URI CODENAME"
# entries; prints "URI KEYRING" (KEYRING "-" when none is named).
apt_archive() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$1" '
			function hit() { return uri != "" && ok && deb && !off }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { if (hit()) exit; uri = key = ""; ok = deb = off = 0; next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
			tolower($1) == "signed-by:" { key = $2 }
			tolower($1) == "enabled:" { if (tolower($2) == "no") off = 1 }
			END { if (hit()) print uri, (key == "" ? "-" : key) }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[ \t]*deb[ \t]\{1,\}\(\[[^]]*\][ \t]\{1,\}\)\{0,1\}\([^ \t]*\)[ \t]\{1,\}'"$1"'[ \t].*/\1 \2/p' "$f" |
			while read -r opts uri; do
				[ -n "$uri" ] || { uri=$opts opts=; }
				key=$(echo "$opts" | sed -n 's/.*signed-by=\([^] ]*\).*/\1/p')
				echo "$uri ${key:--}"
			done
	done
}

# backports_apt: points APT_CONFIG at an apt of our own that reads only the backports
# suite of this machine's release, its lists brought up to date once a day.
backports_apt() {
	codename=$(sed -n "s/^VERSION_CODENAME=[\"']\{0,1\}\([a-z]*\).*/\1/p" /etc/os-release 2>/dev/null || true)
	[ -n "$codename" ] || fall_back "cannot tell this machine's Debian release (VERSION_CODENAME)"
	suite=$codename-backports
	archive=$(apt_archive "$codename" | grep -v -- '-security' | head -n 1)
	[ -z "${VFIO_BIND_VM_MIRROR:-}" ] || archive="$VFIO_BIND_VM_MIRROR ${archive#* }"
	[ -n "$archive" ] || fall_back "no $codename archive in this machine's apt sources (set VFIO_BIND_VM_MIRROR)"
	aptdir=$cache/apt-$suite
	mkdir -p "$aptdir/sources.list.d" "$aptdir/state/lists/partial" "$aptdir/cache/archives/partial"
	{
		echo "Types: deb"
		echo "URIs: ${archive% *}"
		echo "Suites: $suite"
		echo "Components: main"
		[ "${archive#* }" = - ] || echo "Signed-By: ${archive#* }"
	} >"$aptdir/sources.list.d/$suite.sources"
	cat >"$aptdir/apt.conf" <<-EOF
		Dir::State "$aptdir/state/";
		Dir::State::status "/var/lib/dpkg/status";
		Dir::Cache "$aptdir/cache/";
		Dir::Etc::SourceList "$aptdir/sources.list";
		Dir::Etc::SourceParts "$aptdir/sources.list.d/";
	EOF
	APT_CONFIG=$aptdir/apt.conf
	export APT_CONFIG
	# apt gives the lists the archive's times, so the last update has a stamp of ours.
	fresh=$(find "$aptdir/updated" -mtime -1 2>/dev/null || true)
	if [ -z "$fresh" ]; then
		say "apt-get update of $suite (lists in $aptdir)"
		if apt-get update -q --error-on=any >"$aptdir/update.log" 2>&1; then
			touch "$aptdir/updated"
		else
			say "apt-get update of $suite failed: $(grep -m1 '^E:' "$aptdir/update.log" || echo "see $aptdir/update.log")"
		fi
	fi
}

[ -z "$want" ] || say "kernel series $want (VFIO_BIND_VM_KERNEL)"
current_kernel
if [ -n "$want" ] && ! { [ -n "$meta" ] && of_series "$kver"; }; then
	backports_apt
	current_kernel
	[ -n "$meta" ] || fall_back "apt-cache cannot resolve linux-image-amd64 in $suite"
	of_series "$kver" || fall_back "$suite's kernel is $kver, not $want"
fi
[ -n "$meta" ] || fall_back "apt-cache cannot resolve linux-image-amd64 (run apt-get update)"
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
[ -z "${APT_CONFIG:-}" ] || echo "$APT_CONFIG" >"$tree/.apt-config"
echo "$version" >"$tree/.complete"
# The unpacked tree is the cache; the 85 MB of packages are not needed again.
rm -rf "$debs"
say "unpacked $kver ($version) into $tree"
echo "$tree"
