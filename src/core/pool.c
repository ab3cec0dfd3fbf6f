// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"

/* A worker writes to sysfs and reads small files: far less than the default 8 MiB. */
#define WORKER_STACK (256 * 1024)

struct pool {
	unsigned n;
	unsigned next; /* the next index to start, taken atomically */
	void (*fn)(void *data, unsigned i);
	void *data;
	const volatile sig_atomic_t *stop;
};

static bool stopped(const struct pool *p)
{
	return p->stop && __atomic_load_n(p->stop, __ATOMIC_RELAXED);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	while (!stopped(p)) {
		unsigned i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);

		if (i >= p->n)
			break;
		p->fn(p->data, i);
	}
	return NULL;
}

unsigned vb_pool_run(unsigned n, unsigned jobs, void (*fn)(void *data, unsigned i), void *data,
		     const volatile sig_atomic_t *stop)
{
	struct pool p = { .n = n, .fn = fn, .data = data, .stop = stop };
	pthread_t *threads = NULL;
	unsigned made = 0;
	sigset_t block, old;
	pthread_attr_t attr;

	if (jobs > n)
		jobs = n;
	if (jobs > 1 && (threads = calloc(jobs, sizeof(*threads))) &&
	    pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, WORKER_STACK);
		/* The threads inherit the mask: the signals that stop a batch go to the caller. */
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &block, &old);
		while (made < jobs && pthread_create(&threads[made], &attr, worker, &p) == 0)
			made++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
	}
	/* Alone, or short of threads: the caller works too, so nothing waits for none. */
	if (made == 0)
		worker(&p);
	for (unsigned t = 0; t < made; t++)
		pthread_join(threads[t], NULL);
	free(threads);
	return p.next < n ? p.next : n;
}
