// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owner.h"
#include "sysfs.h"

static bool number(const char *s, unsigned long *ret)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && !*end && *ret < 0xfffffffful;
}

int vb_owner_parse(const char *arg, struct vb_owner *ret, struct vb_error *err)
{
	char user[256];
	const char *colon = strchr(arg, ':');
	size_t ulen = colon ? (size_t)(colon - arg) : strlen(arg);
	struct vb_owner o = { .set = true };
	unsigned long n;

	if (ulen == 0 || ulen >= sizeof(user) || (colon && !colon[1]))
		return vb_error_set(err, -EINVAL, "'%s' is not USER or USER:GROUP", arg);
	memcpy(user, arg, ulen);
	user[ulen] = '\0';
	if (number(user, &n)) {
		o.uid = (uid_t)n;
	} else {
		struct passwd *pw = getpwnam(user);

		if (!pw)
			return vb_error_set(err, -EINVAL, "there is no user '%s'", user);
		o.uid = pw->pw_uid;
	}
	if (colon) {
		o.has_gid = true;
		if (number(colon + 1, &n)) {
			o.gid = (gid_t)n;
		} else {
			struct group *gr = getgrnam(colon + 1);

			if (!gr)
				return vb_error_set(err, -EINVAL, "there is no group '%s'", colon + 1);
			o.gid = gr->gr_gid;
		}
	}
	*ret = o;
	return 0;
}

int vb_owner_parse_saved(const char *text, struct vb_owner *ret)
{
	char buf[32];
	char *colon;
	unsigned long n;
	struct vb_owner o = { .set = true };

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (!number(buf, &n))
		return -EINVAL;
	o.uid = (uid_t)n;
	if (colon) {
		if (!number(colon + 1, &n))
			return -EINVAL;
		o.has_gid = true;
		o.gid = (gid_t)n;
	}
	*ret = o;
	return 0;
}

void vb_owner_format(const struct vb_owner *o, char *buf, size_t size)
{
	if (!o->set)
		snprintf(buf, size, "%s", "");
	else if (o->has_gid)
		snprintf(buf, size, "%u:%u", (unsigned)o->uid, (unsigned)o->gid);
	else
		snprintf(buf, size, "%u", (unsigned)o->uid);
}

mode_t vb_owner_mode(const struct vb_owner *o)
{
	return o && o->has_gid ? 0660 : 0600;
}

static int own_node(const char *node, const struct vb_owner *o, struct vb_error *err)
{
	uid_t uid = o ? o->uid : 0;
	gid_t gid = o && o->has_gid ? o->gid : 0;

	if (chown(node, uid, gid) < 0) {
		if (errno == ENOENT)
			return 0;
		return vb_error_set_sys(err, -errno, "cannot give '%s' to %u:%u", node, (unsigned)uid,
					(unsigned)gid);
	}
	if (chmod(node, vb_owner_mode(o)) < 0)
		return vb_error_set_sys(err, -errno, "cannot set the mode of '%s'", node);
	return 0;
}

/* udev re-reads its rules for the node's device: what a rule sets agrees with us. */
static void announce(const char *uevent)
{
	if (uevent)
		(void)vb_write_attr(uevent, "change");
}

int vb_vfio_nodes_own(const struct vb_roots *roots, const struct vb_device *dev,
		      const struct vb_owner *o, struct vb_error *err)
{
	_cleanup_free_ char *group = vb_device_group_node(roots, dev);
	_cleanup_free_ char *cname = vb_device_cdev_name(dev);
	_cleanup_free_ char *cdev = cname ? vb_path("%s/vfio/devices/%s", roots->devfs, cname) : NULL;
	int r = 0;

	if (group) {
		const char *base = strrchr(group, '/') + 1;
		_cleanup_free_ char *uevent = vb_path("%s/class/vfio/%s/uevent", roots->sysfs, base);

		r = own_node(group, o, err);
		if (r == 0)
			announce(uevent);
	}
	if (r == 0 && cdev) {
		_cleanup_free_ char *uevent = vb_path("%s/vfio-dev/%s/uevent", dev->path, cname);

		r = own_node(cdev, o, err);
		if (r == 0)
			announce(uevent);
	}
	return r;
}
