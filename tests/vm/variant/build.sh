#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build.sh KERNEL_BUILD_DIR OUT_DIR: e1000e_vfio_pci.ko, built by ../build-module.sh.
# The whole point of the module is its alias: a kernel that stops emitting it fails here.
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 KERNEL_BUILD_DIR OUT_DIR" >&2; exit 2; }
exec "$here/../build-module.sh" "$1" "$2" "$here" e1000e_vfio_pci 'vfio_pci:v00008086d000010D3sv*sd*bc*sc*i*'
