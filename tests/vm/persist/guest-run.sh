#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ExecStart of vmtest.service in the persistence VM guest: runs /vmtest/SCRIPT SCENARIO
# as named by "vmscript=SCRIPT vmtest=SCENARIO" on the kernel command line, then says
# "VMTEST-DONE rc=N", the line the host waits for. The unit powers off afterwards.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

scenario=
script=
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case $arg in
	vmtest=*) scenario=${arg#vmtest=} ;;
	vmscript=*) script=${arg#vmscript=} ;;
	esac
done

# A line of its own: the firmware leaves the console mid-line.
echo
echo "# guest-run: kernel $(uname -r), $(systemctl --version | head -n 1), $script '$scenario' starts, up $(cut -d' ' -f1 /proc/uptime)s"
rc=0
bash "/vmtest/$script" "$scenario" || rc=$?
echo "# guest-run: tests end, up $(cut -d' ' -f1 /proc/uptime)s"
sync
echo "VMTEST-DONE rc=$rc"
