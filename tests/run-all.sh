#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Everything the tests need, from a fresh Debian 12 machine: install the
# packages (as root), build, run every tier (unit, fake kernel, real kernel in
# QEMU), then the unit and fake-kernel tiers again under ASan/UBSan and under
# valgrind, the batch tests under ThreadSanitizer, and each libFuzzer harness
# for a minute. Exit status: 0 when every
# test passed or skipped and the fuzzers found nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

packages=(
	# build
	gcc meson ninja-build pkg-config libkmod-dev libudev-dev scdoc bash-completion
	# the shells whose completions are tested
	fish zsh
	# unit and fake-kernel tests
	libcmocka-dev kmod python3 util-linux
	# real-kernel tests: QEMU, a busybox initramfs, out-of-tree module builds,
	# and a debootstrap'd Debian root with systemd for the udev rule
	qemu-system-x86 qemu-utils busybox-static cpio gzip zstd xz-utils make libelf-dev
	ca-certificates debootstrap e2fsprogs btrfs-progs strace
	# fuzzers, valgrind, benchmarks
	clang libclang-rt-14-dev valgrind hyperfine
)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
	echo "run-all: not root: assuming the packages are installed: ${packages[*]}" >&2
fi

rc=0
meson setup --wipe build >/dev/null 2>&1 || meson setup build >/dev/null
ninja -C build >/dev/null
meson test -C build --print-errorlogs || rc=1

# The current LTS kernel too (Debian's 6.12, from the release's backports suite): every
# VM suite again on it, about 17 minutes. vm-cdev is not among them: it boots 6.12 (the
# device cdev came in 6.6) and so ran above already.
VFIO_BIND_VM_KERNEL=6.12 meson test -C build --print-errorlogs --suite vm --suite vm-batch \
	--suite vm-persist --suite vm-early --logbase testlog-6.12 || rc=1

# The sanitizer pass: the tool and its tests, with ASan and UBSan watching.
meson setup --wipe build-asan -Db_sanitize=address,undefined -Db_lundef=false \
	-Dvm_tests=disabled >/dev/null 2>&1 ||
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		-Dvm_tests=disabled >/dev/null
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs --no-suite vm --no-suite vm-persist || rc=1

# A batch moves its devices in threads: its tests again with ThreadSanitizer watching.
meson setup --wipe build-tsan -Db_sanitize=thread -Db_lundef=false -Dvm_tests=disabled \
	>/dev/null 2>&1 ||
	meson setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dvm_tests=disabled >/dev/null
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	meson test -C build-tsan --print-errorlogs --suite batch || rc=1

# The same two tiers with the plain code under valgrind's memcheck.
meson setup --wipe build-valgrind -Dvm_tests=disabled >/dev/null 2>&1 ||
	meson setup build-valgrind -Dvm_tests=disabled >/dev/null
ninja -C build-valgrind >/dev/null && tests/valgrind.sh build-valgrind || rc=1

# Every libFuzzer harness for a minute, with ASan and UBSan, from the seed corpus.
CC=clang meson setup --wipe build-fuzz -Dfuzz=enabled -Dvm_tests=disabled \
	-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
	>/dev/null 2>&1 ||
	CC=clang meson setup build-fuzz -Dfuzz=enabled -Dvm_tests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
		>/dev/null
ninja -C build-fuzz >/dev/null && meson test -C build-fuzz --suite fuzz --print-errorlogs &&
	tests/fuzz/run-fuzzers.sh build-fuzz "${VFIO_BIND_FUZZ_SECONDS:-60}" || rc=1

exit $rc
