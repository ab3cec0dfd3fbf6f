// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir.h"
#include "holders.h"
#include "sysfs.h"

/*
 * Only an open device makes an unbind wait: a process with just the group (or
 * the group in a container) loses it at once. A device taken from a group is
 * an anonymous "[vfio-device]" file, with no name to say whose it is.
 */
static bool holds_vfio_device(const char *fddir, char **fds, unsigned nfds)
{
	for (unsigned j = 0; j < nfds; j++) {
		_cleanup_free_ char *fd = vb_path("%s/%s", fddir, fds[j]);
		char target[64];
		ssize_t len = fd ? readlink(fd, target, sizeof(target) - 1) : -1;

		if (len > 0) {
			target[len] = '\0';
			if (strcmp(target, "anon_inode:[vfio-device]") == 0)
				return true;
		}
	}
	return false;
}

/*
 * The kernel lets one file at a time open a VFIO group, and a device taken
 * from the group keeps the group's file open: if we can open the group, no
 * one holds it or its devices, and the scan of every process's files can be
 * skipped. Only when the node is VFIO's character device, and not when the device also has a cdev (/dev/vfio/devices/vfioN, since
 * 6.6), which is opened without the group. The open lasts two system calls;
 * a process opening the group in between gets EBUSY, as it would from any
 * holder.
 */
static bool group_is_free(const char *group_node)
{
	struct stat st;
	int fd;

	if (!group_node || stat(group_node, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	fd = open(group_node, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int vb_vfio_holders(const struct vb_roots *roots, const struct vb_device *dev,
		    struct vb_holder **ret, unsigned *ret_n)
{
	_cleanup_free_ char *group_node = vb_device_group_node(roots, dev);
	_cleanup_free_ char *cdev = vb_device_cdev_node(roots, dev);
	struct vb_holder *list = NULL;
	char **pids = NULL;
	unsigned npids = 0, n = 0;
	pid_t self = getpid();

	if ((!cdev && group_is_free(group_node)) || vb_dir_list(roots->procfs, 0, &pids, &npids) < 0) {
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	for (unsigned i = 0; i < npids; i++) {
		_cleanup_free_ char *fddir = NULL;
		char **fds = NULL;
		unsigned nfds = 0;

		if (!isdigit((unsigned char)pids[i][0]) || atoi(pids[i]) == self)
			continue;
		fddir = vb_path("%s/%s/fd", roots->procfs, pids[i]);
		if (vb_dir_list(fddir, 0, &fds, &nfds) < 0)
			continue;
		for (unsigned j = 0; j < nfds; j++) {
			_cleanup_free_ char *fd = vb_path("%s/%s", fddir, fds[j]);
			char target[PATH_MAX];
			ssize_t len = fd ? readlink(fd, target, sizeof(target) - 1) : -1;

			if (len <= 0)
				continue;
			target[len] = '\0';
			if (streq_ptr(target, group_node) || streq_ptr(target, cdev)) {
				bool device = streq_ptr(target, cdev) || holds_vfio_device(fddir, fds, nfds);

				_cleanup_free_ char *commp = vb_path("%s/%s/comm", roots->procfs, pids[i]);
				_cleanup_free_ char *comm = NULL;
				struct vb_holder *more = realloc(list, (n + 1) * sizeof(*list));

				if (!more)
					break;
				list = more;
				list[n] = (struct vb_holder){ .pid = atoi(pids[i]), .device = device };
				vb_read_attr(commp, &comm);
				snprintf(list[n].comm, sizeof(list[n].comm), "%s", comm ? comm : "?");
				snprintf(list[n].node, sizeof(list[n].node), "%.63s", target);
				n++;
				break;
			}
		}
		vb_strv_free(fds, nfds);
	}
	vb_strv_free(pids, npids);
	*ret = list;
	*ret_n = n;
	return 0;
}

int vb_holders_error(const struct vb_holder *h, unsigned n, struct vb_error *err)
{
	return vb_error_set(err, -EBUSY, "held open by process %d (%s) through %s%s", (int)h[0].pid,
			    h[0].comm, h[0].node, n > 1 ? " and others" : "");
}
