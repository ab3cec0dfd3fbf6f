#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Check the generated rule with 'udevadm verify' where this udevadm has it.
udevadm=$1 rule=$2
if ! "$udevadm" verify --help >/dev/null 2>&1; then
	echo "udevadm has no 'verify' (systemd < 254): skipped"
	exit 77
fi
exec "$udevadm" verify --resolve-names=never "$rule"
