// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Looks up the next definition of each function the shim interposes, so the
 * shim can forward calls it does not model.
 */
#include <dlfcn.h>
#include <pthread.h>

#include "real.h"

struct fk_real fk_real;

static pthread_once_t real_once = PTHREAD_ONCE_INIT;

#define LOOKUP(name) (fk_real.name = (__typeof__(fk_real.name))dlsym(RTLD_NEXT, #name))

static void real_lookup(void)
{
	LOOKUP(open);
	LOOKUP(open64);
	LOOKUP(openat);
	LOOKUP(openat64);
	LOOKUP(fopen);
	LOOKUP(fopen64);
	LOOKUP(write);
	LOOKUP(pwrite);
	LOOKUP(pwrite64);
	LOOKUP(writev);
	LOOKUP(syscall);
	LOOKUP(stat);
	LOOKUP(stat64);
	LOOKUP(lstat);
	LOOKUP(lstat64);
	LOOKUP(fstatat);
	LOOKUP(fstatat64);
	LOOKUP(access);
	LOOKUP(opendir);
}

void fk_real_init(void)
{
	pthread_once(&real_once, real_lookup);
}
