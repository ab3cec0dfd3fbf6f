// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "macro.h"

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort(char **v, unsigned n)
{
	if (n)
		qsort(v, n, sizeof(*v), str_cmp);
}

static bool wanted(const char *name, unsigned flags)
{
	if (name[0] != '.')
		return true;
	if (!(flags & VB_DIR_HIDDEN))
		return false;
	return name[1] && (name[1] != '.' || name[2]);
}

int vb_dir_list(const char *dir, unsigned flags, char ***ret, unsigned *ret_n)
{
	_cleanup_close_ int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	char buf[8192] __attribute__((aligned(__alignof__(struct dirent64))));
	char **names = NULL;
	unsigned n = 0, size = 0;
	ssize_t len;

	if (fd < 0)
		return dir ? -errno : -ENOMEM;
	while ((len = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < len;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (!wanted(de->d_name, flags))
				continue;
			if (n == size) {
				char **more = realloc(names, (size = size ? 2 * size : 16) * sizeof(*names));

				if (!more) {
					vb_strv_free(names, n);
					return -ENOMEM;
				}
				names = more;
			}
			if (!(names[n] = strdup(de->d_name))) {
				vb_strv_free(names, n);
				return -ENOMEM;
			}
			n++;
		}
	}
	if (len < 0) {
		int r = -errno;

		vb_strv_free(names, n);
		return r;
	}
	sort(names, n);
	*ret = names;
	*ret_n = n;
	return 0;
}

void vb_strv_free(char **v, unsigned n)
{
	for (unsigned i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
