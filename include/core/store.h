/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "reset-method.h"
#include "name.h"
#include "roots.h"
#include "sync-async.h"

/*
 * A saved binding: one small KEY=VALUE file per device address
 * (pci-0000:03:00.0.conf) or per vendor:device rule (pci-id-15B3:101E.conf)
 * under the config directory. The format is what udev's IMPORT{file} reads,
 * so the udev rule can set the override itself before any driver loads.
 */
struct vb_saved {
	char bus[16];
	char device[VB_NAME_MAX + 1]; /* "" for an ID rule */
	char id[10];                  /* "15B3:101E" for an ID rule, else "" */
	char driver[VB_NAME_MAX + 1]; /* "" in an ID rule: chosen per device */
	char module[VB_NAME_MAX + 1];
	char modalias[1024];          /* identity of the device saved at that address */
	char host_driver[VB_NAME_MAX + 1]; /* the driver it was taken from; "" unknown */
	char reset_method[VB_RESET_METHOD_MAX]; /* "flr bus", set before it binds; "" leave it */
	char owner[32];               /* "UID[:GID]" its VFIO nodes belong to; "" root */
};

/* Parse and check a saved file's text. -EINVAL with err filled when corrupt. */
int vb_saved_parse(const char *text, struct vb_saved *ret, struct vb_error *err);
/* The file's text for s; the caller frees. */
char *vb_saved_format(const struct vb_saved *s);

/*
 * A modalias fit to be saved and, when the name fits, to name a file:
 * printable, no '/', quotes or '\\', shorter than vb_saved's field.
 */
bool vb_store_modalias_is_valid(const char *s);

/* "15b3:101e" (any case) to "15B3:101E"; -EINVAL otherwise. */
int vb_pci_id_canonical(const char *arg, char ret[10]);

/*
 * Where a saved binding's file lives. A device's file is named by its address and its
 * modalias, "pci-0000:03:00.0=pci:v000015B3d...i00.conf", so the udev rule,
 * which can compare no two values, finds it only while the same device sits
 * at that address. A name longer than NAME_MAX (a device-tree modalias
 * lists every compatible) is "platform-DEVICE.conf" instead, the modalias
 * kept inside, where --restore and --udev-export compare it. An ID rule is
 * "pci-id-15B3:101E.conf".
 */
char *vb_saved_path(const struct vb_roots *roots, const struct vb_saved *s);
char *vb_store_id_path(const struct vb_roots *roots, const char *bus, const char *id);

/* True when path is a saved binding's file for that device, whatever device it was saved for. */
bool vb_store_path_names_device(const char *path, const char *bus, const char *device);

/* Every saved binding file of a device (normally one). */
int vb_store_device_files(const struct vb_roots *roots, const char *bus, const char *device,
			  char ***ret_paths, unsigned *ret_n);

/*
 * Whether a binding can be saved now and trusted when read back: the config
 * directory (if there yet) is root's, writable by nobody else, and writable
 * (-EROFS on a read-only file system). Asked before a device is moved, so a
 * bind that could not be saved moves nothing.
 */
int vb_store_check_writable(const struct vb_roots *roots, struct vb_error *err);

/*
 * Write atomically: temp file, fsync, rename. Entries an earlier device left
 * at the same address are removed. Refused (-EPERM) in a directory whose
 * files would not be trusted.
 */
int vb_store_save(const struct vb_roots *roots, const struct vb_saved *s, struct vb_error *err);

/*
 * The same in two steps, so the disk works while the kernel moves the device:
 * begin writes the temp file, starts its fsync and notes what the rename will
 * replace; finish waits for the fsync and renames the file into place; abort
 * removes the temp file instead. What finish does is little, because it runs
 * as the batch's devices all come back from the kernel at once.
 */
struct vb_store_pending {
	char *tmp;
	char *path;
	bool same;      /* path already holds this text: the save changes nothing */
	char **old;     /* other files of the device's address, removed once it is in place */
	unsigned n_old;
	struct vb_sync sync;
};
#define VB_STORE_PENDING_INIT { .sync = VB_SYNC_INIT }
int vb_store_save_begin(const struct vb_roots *roots, const struct vb_saved *s,
			struct vb_store_pending *p, struct vb_error *err);
int vb_store_save_finish(const struct vb_roots *roots, const struct vb_saved *s,
			 struct vb_store_pending *p, struct vb_error *err);
void vb_store_save_abort(struct vb_store_pending *p);

/*
 * The mark that some saved binding has an owner (--owner), made before such a
 * binding is saved: udev's rule runs vfio-bind for a new VFIO node only when
 * it is there, so machines without owners start no process per node. Never
 * removed by a run (a stale mark only costs those runs again).
 */
#define VB_STORE_OWNERS_MARK ".owners"
int vb_store_mark_owners(const struct vb_roots *roots, struct vb_error *err);

/* Remove every saved binding of a device and sync the directory; the number removed. */
int vb_store_forget_device(const struct vb_roots *roots, const char *bus, const char *device,
			   struct vb_error *err);
/*
 * The same, the directory's sync left running in sync (vb_sync_wait it) when
 * any went; sync NULL: the caller syncs (vb_store_sync), once for a batch.
 */
int vb_store_forget_device_begin(const struct vb_roots *roots, const char *bus,
				 const char *device, struct vb_sync *sync, struct vb_error *err);

/*
 * Read one saved binding, trusting it only if it and its directory are owned by root
 * and writable by nobody else, and it is a regular file, not a link.
 * -ENOENT when there is none.
 */
int vb_store_load(const struct vb_roots *roots, const char *path, struct vb_saved *ret,
		  struct vb_error *err);

/* Remove a saved binding; 0 also when there was none. */
int vb_store_forget(const struct vb_roots *roots, const char *path, struct vb_error *err);

/* Every saved binding's file, sorted (devices and rules of every bus). */
int vb_store_list(const struct vb_roots *roots, char ***ret_paths, unsigned *ret_n);
void vb_store_list_free(char **paths, unsigned n);

/* fsync the directory of the saved bindings: what a batch saved or removed lasts. */
int vb_store_sync(const struct vb_roots *roots);

/* How many of those were removals (a batch syncs the directory once when there were). */
unsigned vb_store_removals(void);

/* How many saved bindings' files this process has written anew or removed so far. */
unsigned vb_store_changes(void);

/* Remove the temp files of saves whose runs were killed (call it under the lock). */
void vb_store_drop_stale_temps(const struct vb_roots *roots);
