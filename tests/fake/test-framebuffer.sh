#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The boot GPU's firmware framebuffer: a claim inside one of the card's BARs
# (/proc/iomem) refuses the bind, naming the holder and what to do; --force
# binds anyway; --list shows it. A claim elsewhere changes nothing.

. "$(dirname "$0")/harness.sh"

VGA=0000:00:05.0

# QEMU's standard VGA (1234:1111, no driver here) with BAR 0 at 0xfd000000, 16 MiB;
# /proc/iomem as the kernel shows it, with CLAIM (a line, or nothing) inside that BAR.
vga_with() { # CLAIM-LINE
	fake_device "$S" $VGA pci0000:00 1234 1111 1af4 1100 030000 6
	{
		echo "0x00000000fd000000 0x00000000fdffffff 0x0000000000042208"
		echo "0x0000000000000000 0x0000000000000000 0x0000000000000000"
		echo "0x00000000febf4000 0x00000000febf4fff 0x0000000000040200"
	} >"$S/bus/pci/devices/$VGA/resource"
	fake_proc
	{
		echo "00000000-00000fff : Reserved"
		echo "c0000000-febfffff : PCI Bus 0000:00"
		echo "  fd000000-fdffffff : 0000:00:05.0"
		[ -z "$1" ] || echo "    $1"
		echo "  febf4000-febf4fff : 0000:00:05.0"
	} >"$T/proc/iomem"
}

test_framebuffer_in_a_bar_refuses_the_bind() {
	vga_with "fd000000-fd2fffff : BOOTFB"
	remember
	vb $VGA
	assert_rc 1
	assert_says "firmware framebuffer \(BOOTFB.*BAR 0"
	assert_says "initcall_blacklist=sysfb_init"
	assert_unchanged
	vb --force $VGA
	assert_rc 0
	assert_driver $VGA vfio-pci
}

test_framebuffer_driver_is_named_with_how_to_unbind_it() {
	vga_with "fd000000-fd2fffff : simpledrm"
	mkdir -p "$S/bus/platform/devices/simple-framebuffer.0" "$S/bus/platform/drivers/simple-framebuffer"
	ln -s ../../../bus/platform/drivers/simple-framebuffer "$S/bus/platform/devices/simple-framebuffer.0/driver"
	vb $VGA
	assert_rc 1
	assert_says "simpledrm, driver simple-framebuffer"
	assert_says "echo simple-framebuffer.0 > /sys/bus/platform/drivers/simple-framebuffer/unbind"
	assert_driver $VGA -
}

test_list_shows_the_framebuffer() {
	vga_with "fd000000-fd2fffff : efifb"
	vb --list --json $VGA
	assert_rc 0
	grep -q '"framebuffer": *"efifb in BAR 0"' "$T/out" || fail "--list: $(cat "$T/out")"
	vb --list $VGA
	assert_says "firmware framebuffer efifb in BAR 0"
}

test_no_claim_in_its_bars_binds() {
	vga_with ""
	echo "e0000000-e02fffff : BOOTFB" >>"$T/proc/iomem"
	vb $VGA
	assert_rc 0
	assert_driver $VGA vfio-pci
	vb --list --json $VGA
	! grep -q '"framebuffer": *"' "$T/out" || fail "--list: $(cat "$T/out")"
}

fake_main "$@"
