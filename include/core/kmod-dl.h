/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <libkmod.h>

#include "error.h"

/*
 * libkmod opened with dlopen() on first use. Debian's libkmod pulls in
 * libcrypto, liblzma and libzstd: linking it costs every run about 1.5 ms and
 * 2 MiB before main(), even a bind to an already registered driver that never
 * looks at a module. Only what resolve.c calls is here.
 */
#define VB_KMOD_SYMBOLS(X)                \
	X(kmod_new)                       \
	X(kmod_unref)                     \
	X(kmod_set_log_fn)                \
	X(kmod_load_resources)            \
	X(kmod_list_next)                 \
	X(kmod_module_new_from_lookup)    \
	X(kmod_module_new_from_name)      \
	X(kmod_module_get_module)         \
	X(kmod_module_get_name)           \
	X(kmod_module_get_path)           \
	X(kmod_module_get_options)        \
	X(kmod_module_get_initstate)      \
	X(kmod_module_get_info)           \
	X(kmod_module_info_get_key)       \
	X(kmod_module_info_get_value)     \
	X(kmod_module_info_free_list)     \
	X(kmod_module_apply_filter)       \
	X(kmod_module_probe_insert_module) \
	X(kmod_module_unref)              \
	X(kmod_module_unref_list)

#define VB_KMOD_DECLARE(name) extern __typeof__(name) *sym_##name;
VB_KMOD_SYMBOLS(VB_KMOD_DECLARE)
#undef VB_KMOD_DECLARE

/* kmod_list_foreach, through the pointer. */
#define vb_kmod_list_foreach(it, head) \
	for ((it) = (head); (it) != NULL; (it) = sym_kmod_list_next((head), (it)))

/* Open the library and resolve every symbol above, once; -ENOENT with a hint when it is missing. */
int vb_kmod_dl_open(struct vb_error *err);
/* Where the open library lives; -ENOENT before vb_kmod_dl_open. */
int vb_kmod_dl_path(char **ret);
