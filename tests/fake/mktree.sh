#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the standard fake machine (lib.sh: fake_tree) in an empty or new
# directory T and prints the environment that points vfio-bind at it:
#
#   eval "$(tests/fake/mktree.sh /tmp/fk)"
#   LD_PRELOAD=build/tests/fake/fake-sysfs.so build/src/vfio-bind --list

set -eu

[ $# -eq 1 ] || {
	echo "usage: ${0##*/} T" >&2
	exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
MAKE_MODULE_TREE=${MAKE_MODULE_TREE:-$here/../lib/make-module-tree.sh}

mkdir -p "$1"
t=$(cd "$1" && pwd)
[ -z "$(ls -A "$t")" ] || {
	echo "${0##*/}: '$t' is not empty" >&2
	exit 1
}
fake_tree "$t"
cat <<ENV
export VFIO_BIND_SYSFS='$t/sys'
export VFIO_BIND_MODULES_DIR='$t/modules/lib/modules/$FAKE_KVER'
export VFIO_BIND_MODPROBE_DIR='$t/modprobe.d'
export VFIO_BIND_CONFIG_DIR='$t/config'
ENV
