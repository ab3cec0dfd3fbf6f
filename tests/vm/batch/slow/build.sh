#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build.sh KERNEL_BUILD_DIR OUT_DIR: vb_slow.ko, built by ../../build-module.sh. The
# guest's module index must send the edu device's modalias to it: that is how vfio-bind
# finds the host driver to hand a device back to; the tests read its parameters.
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 KERNEL_BUILD_DIR OUT_DIR" >&2; exit 2; }
exec "$here/../../build-module.sh" "$1" "$2" "$here" vb_slow 'pci:v00001234d000011E8sv*sd*bc*sc*i*' \
	delay_ms fail_probe in_flight max_in_flight probes removes
